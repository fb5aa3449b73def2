using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.Extensions.AI;

namespace LocalAssistant;

/// <summary>The assistant's tools, as AIFunctions. File search never leaves <see cref="Root"/> and reads a bounded amount.</summary>
internal sealed class AssistantTools(string root)
{
    private const int MaxFiles = 2000, MaxHits = 20;
    private const long MaxBytesPerFile = 1 << 20;

    public string Root { get; } = Path.GetFullPath(root);

    public IList<AITool> All() =>
    [
        AIFunctionFactory.Create(SearchFiles, "search_files"),
        AIFunctionFactory.Create(Calculate, "calculate"),
        AIFunctionFactory.Create(Now, "now"),
    ];

    [Description("Finds the files under a folder (relative to the assistant's root) whose text contains the given text; returns matching lines.")]
    public string SearchFiles([Description("Folder relative to the root, e.g. \".\""), MaxLength(100)] string folder, [Description("Text to look for"), MaxLength(60)] string text)
    {
        if (string.IsNullOrEmpty(text))
            return "Error: give some text to search for.";
        string start = Path.GetFullPath(Path.Combine(Root, folder));
        if (!start.StartsWith(Root, StringComparison.Ordinal) || (start.Length > Root.Length && start[Root.Length] != Path.DirectorySeparatorChar))
            return $"Error: '{folder}' is outside the folder the assistant may read.";
        if (!Directory.Exists(start))
            return $"Error: there is no folder '{folder}'.";
        var hits = new List<string>();
        foreach (string file in Directory.EnumerateFiles(start, "*", SearchOption.AllDirectories).Take(MaxFiles))
        {
            if (new FileInfo(file).Length > MaxBytesPerFile)
                continue;
            int lineNumber = 0;
            foreach (string line in File.ReadLines(file))
            {
                lineNumber++;
                if (line.Contains(text, StringComparison.OrdinalIgnoreCase))
                    hits.Add($"{Path.GetRelativePath(Root, file)}:{lineNumber}: {line.Trim()}");
                if (hits.Count == MaxHits)
                    return string.Join('\n', hits) + "\n(more results left out)";
            }
        }
        return hits.Count == 0 ? $"No file contains '{text}'." : string.Join('\n', hits);
    }

    [Description("Evaluates an arithmetic expression: + - * / ^ and parentheses.")]
    public static string Calculate([Description("For example (2 + 3) * 4"), MaxLength(100)] string expression)
    {
        try
        {
            return Calculator.Evaluate(expression).ToString("R", CultureInfo.InvariantCulture);
        }
        catch (FormatException e)
        {
            return "Error: " + e.Message;
        }
    }

    [Description("The current local date, time and time zone.")]
    public static string Now() => $"{DateTimeOffset.Now:yyyy-MM-dd HH:mm:ss zzz} ({TimeZoneInfo.Local.Id})";
}
