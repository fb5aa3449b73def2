namespace Wallfacer.Hub;

/// <summary>A hub operation failed; the message is one line that says what to do about it.</summary>
public sealed class HubException : Exception
{
    public HubException(HubErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException) => Kind = kind;

    public HubErrorKind Kind { get; }
}
