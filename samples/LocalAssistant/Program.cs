using Microsoft.Extensions.AI;
using LocalAssistant;
using Wallfacer.Extensions.AI;

// dotnet run --project samples/LocalAssistant -- -m MODEL.gguf [--root FOLDER] [--tool-choice auto|required] "question"
string? modelPath = null, root = Directory.GetCurrentDirectory(), question = null;
ChatToolMode mode = ChatToolMode.Auto;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "-m" or "--model" when i + 1 < args.Length: modelPath = args[++i]; break;
        case "--root" when i + 1 < args.Length: root = args[++i]; break;
        case "--tool-choice" when i + 1 < args.Length:
            mode = args[++i] switch
            {
                "auto" => ChatToolMode.Auto,
                "required" => ChatToolMode.RequireAny,
                var other => throw new ArgumentException($"--tool-choice: '{other}' is not auto or required."),
            };
            break;
        default: question = args[i]; break;
    }
}
if (modelPath is null || question is null)
{
    Console.Error.WriteLine("usage: LocalAssistant -m MODEL.gguf [--root FOLDER] [--tool-choice auto|required] \"question\"");
    return 2;
}
using var client = WallfacerChatClient.Load(new WallfacerChatClientOptions { ModelPath = modelPath, ContextLength = 4096 });
var assistant = new Assistant(client, new AssistantTools(root), Console.Error);
var answer = await assistant.AskAsync(question, mode);
Console.WriteLine(answer.Text);
return 0;
