//! Token decoding, validation and 401/403 diagnosis (issue 4; being written).
