// Presentation mode, app-wide: larger type, no secret revealed on screen, one step at a time.
export const presentation = $state({ on: false });

export function setPresenting(on: boolean) {
  presentation.on = on;
  document.documentElement.classList.toggle("presenting", on);
}
