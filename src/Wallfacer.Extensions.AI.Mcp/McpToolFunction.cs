using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Wallfacer.Extensions.AI.Mcp;

/// <summary>
/// One tool of an MCP server as an <see cref="AIFunction"/> a small model reads easily: the result is the tool's
/// text (its text blocks joined), else its structured content, else the whole protocol result as JSON — not the
/// protocol envelope the SDK's own <see cref="McpClientTool"/> returns. A result the server marks as an error
/// becomes an <see cref="McpToolException"/>, which the tool loop turns into an error the model reads.
/// </summary>
public sealed class McpToolFunction : AIFunction
{
    private readonly McpClientTool _tool;

    internal McpToolFunction(McpClientTool tool, string serverName)
    {
        _tool = tool;
        ServerName = serverName;
    }

    /// <summary>The server the tool comes from (its command line, unless named).</summary>
    public string ServerName { get; }

    /// <inheritdoc/>
    public override string Name => _tool.Name;

    /// <inheritdoc/>
    public override string Description => _tool.Description;

    /// <inheritdoc/>
    public override JsonElement JsonSchema => _tool.JsonSchema;

    /// <inheritdoc/>
    public override JsonElement? ReturnJsonSchema => _tool.ReturnJsonSchema;

    /// <inheritdoc/>
    public override JsonSerializerOptions JsonSerializerOptions => _tool.JsonSerializerOptions;

    /// <inheritdoc/>
    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        var result = await _tool.CallAsync(arguments, cancellationToken: cancellationToken).ConfigureAwait(false);
        string? text = TextOf(result);
        if (result.IsError == true)
            throw new McpToolException($"{text ?? "the server reported an error without a message"}");
        if (text is not null)
            return text;
        if (result.StructuredContent is { } structured)
            return structured;
        return JsonSerializer.SerializeToElement(result, _tool.JsonSerializerOptions);
    }

    /// <summary>The text blocks joined by newlines; null when the result holds anything else (images, resources).</summary>
    private static string? TextOf(CallToolResult result) =>
        result.Content.Count > 0 && result.Content.All(block => block is TextContentBlock)
            ? string.Join("\n", result.Content.Cast<TextContentBlock>().Select(block => block.Text))
            : null;
}
