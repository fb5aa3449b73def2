namespace Wallfacer.Inference.Tools;

/// <summary>A request's tools or tool choice cannot be honoured; the message names the field.</summary>
public sealed class ToolCallException : Exception
{
    public ToolCallException() { }

    public ToolCallException(string message) : base(message) { }

    public ToolCallException(string message, Exception innerException) : base(message, innerException) { }
}
