using System.CommandLine;

namespace Wallfacer.Cli.Commands;

/// <summary>Options several verbs share, defined once so their names and help agree.</summary>
internal static class CommonOptions
{
    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "Show full exception details on errors, and the download log of pull.",
        Recursive = true,
    };

    public const string ModelDescription =
        "A GGUF model: a file path, or owner/name[:FILE-or-QUANT] of a model already pulled into the hub cache (see `wallfacer pull`, `wallfacer list`).";

    public static Option<string> Model() => new("--model", "-m")
    {
        Description = ModelDescription,
        Required = true,
    };

    public static Option<bool> Json() => new("--json")
    {
        Description = "Print one JSON object instead of text.",
    };

    public static Option<int> Threads() => new("--threads", "-t")
    {
        Description = "Threads for the forward pass (default: one per processor).",
    };

    public static Option<bool> PreTouch() => new("--pretouch")
    {
        Description = "Read every page of the weights at load (a slower start, no page faults later).",
    };

    public static Option<int> Context() => new("--ctx", "-c")
    {
        Description = "Context length in tokens (default: the model's, at most 4096).",
    };
}
