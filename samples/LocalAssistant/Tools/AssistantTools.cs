using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.AI;

namespace LocalAssistant.Tools;

/// <summary>The assistant's tools as <see cref="AIFunction"/>s: names, descriptions and parameter schemas the model reads.</summary>
public static class AssistantTools
{
    /// <summary>
    /// <c>search_files</c>, <c>calculate</c> and <c>now</c>. String arguments carry a [MaxLength] (a schema maxLength the
    /// call grammar enforces), so even a confused model reaches the end of a call.
    /// </summary>
    public static IList<AITool> Create(FileSearch files, Clock clock) =>
    [
        AIFunctionFactory.Create(
            ([Description("Folder to search, relative to the root (\".\" for all of it)."), MaxLength(100)] string folder,
             [Description("Text to find (case-insensitive)."), MaxLength(60)] string text,
             CancellationToken cancellationToken) => files.Search(folder, text, cancellationToken),
            "search_files",
            $"Finds lines containing a text in the user's files under {files.Root}. Returns path:line: text for each match."),
        AIFunctionFactory.Create(
            ([Description("Arithmetic with + - * / ^ and parentheses, e.g. (2.5 + 4) * 3^2."), MaxLength(100)] string expression) => Calculator.Calculate(expression),
            "calculate",
            "Calculates an arithmetic expression exactly; use it for any arithmetic instead of guessing."),
        AIFunctionFactory.Create(clock.Now, "now", "The current local date, time and time zone."),
    ];
}
