namespace Wallfacer.Hub;

/// <summary>What went wrong talking to the hub, so callers and tests can react without parsing messages.</summary>
public enum HubErrorKind
{
    /// <summary>A repository name, file name or option that cannot be used.</summary>
    InvalidInput,
    /// <summary>404: the repository, revision or file does not exist (or is private and we sent no token).</summary>
    NotFound,
    /// <summary>401: no token or a token the hub rejects.</summary>
    Unauthorized,
    /// <summary>403: the repository is gated or the token lacks access.</summary>
    Forbidden,
    /// <summary>The request could not be served: connection failed or dropped, stalled, or an unexpected status.</summary>
    Network,
    /// <summary>The server's reply is malformed, too large, or contradicts itself.</summary>
    InvalidResponse,
    /// <summary>The downloaded bytes do not have the SHA-256 or size the hub announced.</summary>
    ChecksumMismatch,
    /// <summary>The repository holds no GGUF file matching the request.</summary>
    NoMatchingFile,
    /// <summary>Several GGUF models match the request; the message lists them.</summary>
    AmbiguousFile,
}
