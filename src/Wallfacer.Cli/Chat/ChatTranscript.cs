using System.Text.Json;
using System.Text.Json.Nodes;

namespace Wallfacer.Cli.Chat;

/// <summary>
/// The conversation of a <c>wallfacer chat</c>: the system prompt and the messages, in the OpenAI shape chat
/// templates read. Saved as readable JSON (<c>/save</c>); loading checks every field and names the bad one.
/// </summary>
internal sealed class ChatTranscript
{
    private const string Format = "wallfacer-chat";
    private const int Version = 1;
    private const long MaxFileBytes = 64L << 20;

    private readonly List<(string Role, string Content)> _messages = [];

    public ChatTranscript(string? systemPrompt) => SystemPrompt = systemPrompt;

    public string? SystemPrompt { get; private set; }

    /// <summary>User and assistant messages, oldest first (the system prompt not included).</summary>
    public IReadOnlyList<(string Role, string Content)> Messages => _messages;

    public void Add(string role, string content) => _messages.Add((role, content));

    public void Clear() => _messages.Clear();

    /// <summary>Drops the oldest user message and everything up to the next user message (one exchange).</summary>
    public int DropOldestExchange()
    {
        if (_messages.Count == 0)
            return 0;
        int end = 1;
        while (end < _messages.Count && _messages[end].Role != "user")
            end++;
        _messages.RemoveRange(0, end);
        return end;
    }

    /// <summary>The messages as the template expects them, system prompt first.</summary>
    public JsonArray ToTemplateMessages()
    {
        var array = new JsonArray();
        if (!string.IsNullOrEmpty(SystemPrompt))
            array.Add(new JsonObject { ["role"] = "system", ["content"] = SystemPrompt });
        foreach (var (role, content) in _messages)
            array.Add(new JsonObject { ["role"] = role, ["content"] = content });
        return array;
    }

    public void Save(string path, string model)
    {
        var document = new JsonObject
        {
            ["format"] = Format,
            ["version"] = Version,
            ["model"] = model,
            ["system"] = SystemPrompt,
            ["messages"] = new JsonArray(_messages.Select(m => (JsonNode)new JsonObject { ["role"] = m.Role, ["content"] = m.Content }).ToArray()),
        };
        File.WriteAllText(path, document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Replaces this transcript with the one saved in <paramref name="path"/>.</summary>
    public void Load(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
            throw new FileNotFoundException($"{path}: no such file.", path);
        if (info.Length > MaxFileBytes)
            throw new InvalidDataException($"{path}: {info.Length} bytes is larger than a chat transcript may be ({MaxFileBytes}).");
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine}): {ex.Message}");
        }
        if (root is not JsonObject obj || (string?)Field(obj, "format", path) != Format)
            throw new InvalidDataException($"{path}: not a wallfacer chat transcript (\"format\" must be \"{Format}\").");
        var messages = new List<(string, string)>();
        if (obj["messages"] is not JsonArray array)
            throw new InvalidDataException($"{path}: \"messages\" must be an array.");
        for (int i = 0; i < array.Count; i++)
        {
            if (array[i] is not JsonObject m || m["role"]?.GetValueKind() != JsonValueKind.String || m["content"]?.GetValueKind() != JsonValueKind.String)
                throw new InvalidDataException($"{path}: messages[{i}] must be an object with string \"role\" and \"content\".");
            string role = (string)m["role"]!;
            if (role is not ("user" or "assistant"))
                throw new InvalidDataException($"{path}: messages[{i}].role is \"{role}\"; expected \"user\" or \"assistant\".");
            messages.Add((role, (string)m["content"]!));
        }
        SystemPrompt = obj["system"] is JsonValue s && s.GetValueKind() == JsonValueKind.String ? (string)s! : null;
        _messages.Clear();
        _messages.AddRange(messages);
    }

    private static JsonNode? Field(JsonObject obj, string name, string path) =>
        obj.TryGetPropertyValue(name, out var node) ? node : throw new InvalidDataException($"{path}: missing \"{name}\".");
}
