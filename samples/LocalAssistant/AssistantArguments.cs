using Microsoft.Extensions.AI;

namespace LocalAssistant;

/// <summary>The command line: <c>-m MODEL.gguf [--root FOLDER] [--tool-choice auto|required] "question"</c>.</summary>
public sealed record AssistantArguments(string ModelPath, string Root, ChatToolMode ToolMode, string Question)
{
    /// <summary>How to call the sample, shown with --help and after a usage error.</summary>
    public const string Usage =
        "usage: LocalAssistant -m MODEL.gguf [--root FOLDER] [--tool-choice auto|required] \"question\"\n" +
        "  -m, --model      a GGUF chat model that can call tools (e.g. Qwen2.5/Qwen3 instruct)\n" +
        "  --root           the folder search_files may read (default: the current folder)\n" +
        "  --tool-choice    auto: the model decides (default); required: it must call a tool first";

    /// <summary>Reads <paramref name="args"/>; a mistake is an <see cref="ArgumentException"/> saying what to fix.</summary>
    public static AssistantArguments Parse(IReadOnlyList<string> args)
    {
        string? model = null, root = null, choice = null;
        var words = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "-m" or "--model":
                    model = ValueAfter(args, ref i);
                    break;
                case "--root":
                    root = ValueAfter(args, ref i);
                    break;
                case "--tool-choice":
                    choice = ValueAfter(args, ref i);
                    break;
                case var option when option.StartsWith('-') && option.Length > 1:
                    throw new ArgumentException($"Unknown option {option}.");
                default:
                    words.Add(args[i]);
                    break;
            }
        }
        if (model is null)
            throw new ArgumentException("Say which model to use: -m MODEL.gguf.");
        if (words.Count == 0)
            throw new ArgumentException("Ask a question, e.g. \"What is 17% of 2350?\".");
        return new AssistantArguments(model, root ?? Directory.GetCurrentDirectory(), ToolModeOf(choice ?? "auto"), string.Join(' ', words));
    }

    private static string ValueAfter(IReadOnlyList<string> args, ref int i) =>
        ++i < args.Count ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value.");

    private static ChatToolMode ToolModeOf(string choice) => choice switch
    {
        "auto" => ChatToolMode.Auto,
        "required" => ChatToolMode.RequireAny,
        _ => throw new ArgumentException($"--tool-choice is auto or required, not '{choice}'."),
    };
}
