namespace Wallfacer.Extensions.AI.Mcp;

/// <summary>An MCP tool answered with an error result (<c>isError: true</c>); the message is the server's text.</summary>
public sealed class McpToolException : Exception
{
    /// <summary>An error with the server's own message.</summary>
    public McpToolException(string message)
        : base(message)
    {
    }

    /// <summary>An error with a message and the exception behind it.</summary>
    public McpToolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>An error without details.</summary>
    public McpToolException()
        : base("The MCP tool failed.")
    {
    }
}
