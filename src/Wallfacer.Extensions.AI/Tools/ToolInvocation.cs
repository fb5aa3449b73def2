using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Wallfacer.Extensions.AI.Tools;

/// <summary>
/// One tool call the <see cref="ToolLoopChatClient"/> answered: what the model asked for, what it was told, and
/// how long the tool took. Raised through <see cref="ToolLoopChatClient.ToolInvoked"/> so a user interface can
/// show the calls as they happen.
/// </summary>
/// <param name="Call">The model's call: function name, arguments, call id.</param>
/// <param name="Result">The result sent back to the model (an error description when <paramref name="Succeeded"/> is false).</param>
/// <param name="Duration">Time spent on the call, including looking the tool up.</param>
/// <param name="Succeeded">False when the tool was unknown, its arguments could not be read, or it threw.</param>
public sealed record ToolInvocation(FunctionCallContent Call, FunctionResultContent Result, TimeSpan Duration, bool Succeeded)
{
    // The library's defaults indent; a display line must stay one line.
    private static readonly JsonSerializerOptions Compact = new(AIJsonUtilities.DefaultOptions) { WriteIndented = false };

    /// <summary>
    /// One line for people: <c>add({"a":2,"b":3}) → 5 (3 ms)</c>, the result cut to <paramref name="maxResultLength"/>
    /// characters and kept on one line.
    /// </summary>
    public string ToDisplayString(int maxResultLength = 160)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxResultLength, 1);
        string arguments = JsonSerializer.Serialize(Call.Arguments ?? new Dictionary<string, object?>(), Compact);
        string result = OneLine(TextOf(Result.Result));
        if (result.Length > maxResultLength)
            result = result[..maxResultLength] + "…";
        string arrow = Succeeded ? "→" : "✗";
        return $"{Call.Name}({arguments}) {arrow} {result} ({Duration.TotalMilliseconds:F0} ms)";
    }

    private static string TextOf(object? value) => value switch
    {
        null => "(nothing)",
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString()!,
        JsonElement e => e.GetRawText(),
        _ => JsonSerializer.Serialize(value, Compact),
    };

    private static string OneLine(string text) => string.Join(" ⏎ ", text.Split('\n', StringSplitOptions.TrimEntries));
}
