using LocalAssistant;
using LocalAssistant.Tools;
using Wallfacer.Extensions.AI;

// A local assistant: a GGUF model on this machine, answering one question with real tools.
// Tool calls go to stderr as they happen; the answer goes to stdout.
if (args is ["-h" or "--help"] || args.Length == 0)
{
    Console.WriteLine(AssistantArguments.Usage);
    return 0;
}
try
{
    var arguments = AssistantArguments.Parse(args);
    var tools = AssistantTools.Create(new FileSearch(arguments.Root), new Clock(TimeProvider.System));
    using var cancel = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
    using var model = WallfacerChatClient.Load(new WallfacerChatClientOptions { ModelPath = arguments.ModelPath, ContextLength = 4096 });
    var assistant = new Assistant(model, tools, Console.Error) { ToolMode = arguments.ToolMode };
    Console.WriteLine(await assistant.AskAsync(arguments.Question, cancel.Token));
    return 0;
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}\n{AssistantArguments.Usage}");
    return 2;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("cancelled.");
    return 130;
}
catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or InvalidOperationException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 1;
}
