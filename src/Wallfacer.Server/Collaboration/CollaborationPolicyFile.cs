using System.Text.Json;
using System.Text.RegularExpressions;
using Wallfacer.Extensions.AI.Collaboration;
using Wallfacer.Extensions.AI.Collaboration.Privacy;

namespace Wallfacer.Server.Collaboration;

/// <summary>
/// Reads <c>serve --policy FILE</c>: a JSON object with four optional sections (comments and trailing commas
/// allowed), every field optional, anything unset keeping <see cref="CollaborationOptions"/>'s default:
/// <code>
/// {
///   "privacy": { "mode": "redact" | "keep_local" | "off", "patterns": ["regex", …], "terms": ["word", …] },
///   "cascade": { "enabled": true, "min_mean_logprob": -1.0, "min_token_logprob": null, "max_mean_entropy": null },
///   "routing": { "tools_to_cloud": false, "max_local_prompt_characters": 0 },
///   "cloud":   { "timeout_seconds": 60, "max_retries": 1 }
/// }
/// </code>
/// It is strict on purpose: an unknown key or a wrong type is an error naming the file and the JSON path, because
/// a typo in a privacy policy ("keep-local", "patern") must not silently send private data to the cloud.
/// </summary>
public static class CollaborationPolicyFile
{
    public static CollaborationPolicy Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"The policy file {path} does not exist.", path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses policy JSON; <paramref name="source"/> names it in errors (a file path).</summary>
    public static CollaborationPolicy Parse(string json, string source = "policy")
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{source} is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine}): {ex.Message}");
        }
        using (doc)
        {
            var reader = new Reader(source);
            var root = reader.Object(doc.RootElement, "$", "privacy", "cascade", "routing", "cloud");
            var options = new CollaborationOptions();
            int maxRetries = new CollaborationPolicy().MaxRetries;
            if (reader.Section(root, "privacy", "mode", "patterns", "terms") is { } privacy)
                ReadPrivacy(reader, privacy, options);
            if (reader.Section(root, "cascade", "enabled", "min_mean_logprob", "min_token_logprob", "max_mean_entropy", "self_check") is { } cascade)
            {
                options.SelfCheck = reader.Boolean(cascade, "cascade.self_check") ?? options.SelfCheck;
                options.Cascade = reader.Boolean(cascade, "cascade.enabled") ?? options.Cascade;
                options.MinMeanLogprob = reader.Number(cascade, "cascade.min_mean_logprob", max: 0) ?? options.MinMeanLogprob;
                options.MinTokenLogprob = reader.Number(cascade, "cascade.min_token_logprob", max: 0);
                options.MaxMeanEntropy = reader.Number(cascade, "cascade.max_mean_entropy", min: 0);
            }
            if (reader.Section(root, "routing", "tools_to_cloud", "max_local_prompt_characters", "router") is { } routing)
            {
                if (reader.String(routing, "routing.router") is { } routerPath)
                    options.Router = LoadRouter(reader, Path.GetFullPath(routerPath, Path.GetDirectoryName(Path.GetFullPath(source)) ?? "."));
                options.RouteToolRequestsToCloud = reader.Boolean(routing, "routing.tools_to_cloud") ?? options.RouteToolRequestsToCloud;
                options.MaxLocalPromptCharacters = (int)(reader.Number(routing, "routing.max_local_prompt_characters", 0, int.MaxValue, integer: true) ?? 0);
            }
            if (reader.Section(root, "cloud", "timeout_seconds", "max_retries") is { } cloud)
            {
                if (reader.Number(cloud, "cloud.timeout_seconds", 0.001, 3600) is double seconds)
                    options.CloudTimeout = TimeSpan.FromSeconds(seconds);
                maxRetries = (int)(reader.Number(cloud, "cloud.max_retries", 0, 10, integer: true) ?? maxRetries);
            }
            return new CollaborationPolicy { Options = options, MaxRetries = maxRetries };
        }
    }

    private static TrainedRouter LoadRouter(Reader reader, string path)
    {
        try
        {
            return TrainedRouter.Load(path);
        }
        catch (Exception ex) when (ex is ArgumentException or IOException)
        {
            throw reader.Error("routing.router", ex.Message);
        }
    }

    private static void ReadPrivacy(Reader reader, JsonElement privacy, CollaborationOptions options)
    {
        options.Privacy = reader.String(privacy, "privacy.mode") switch
        {
            null => options.Privacy,
            "redact" => PrivacyMode.Redact,
            "keep_local" => PrivacyMode.KeepLocal,
            "off" => PrivacyMode.Off,
            var other => throw reader.Error("privacy.mode", $"must be \"redact\", \"keep_local\" or \"off\", not \"{other}\""),
        };
        var patterns = reader.Strings(privacy, "privacy.patterns");
        for (int i = 0; i < patterns.Count; i++)
        {
            try
            {
                _ = new Regex(patterns[i], RegexOptions.CultureInvariant);
            }
            catch (ArgumentException ex)
            {
                throw reader.Error($"privacy.patterns[{i}]", $"is not a valid regular expression ({ex.Message})");
            }
        }
        options.Rules = new PrivacyRules { Patterns = patterns, Terms = reader.Strings(privacy, "privacy.terms") };
    }

    /// <summary>Typed access to the document; every error names the source and the JSON path.</summary>
    private sealed class Reader(string source)
    {
        public InvalidDataException Error(string path, string problem) => new($"{source}: {path} {problem}.");

        public JsonElement Object(JsonElement element, string path, params string[] keys)
        {
            if (element.ValueKind != JsonValueKind.Object)
                throw Error(path, "must be an object");
            foreach (var property in element.EnumerateObject())
            {
                if (!keys.Contains(property.Name))
                    throw Error(path == "$" ? property.Name : $"{path}.{property.Name}", $"is not a policy setting (expected one of: {string.Join(", ", keys)})");
            }
            return element;
        }

        public JsonElement? Section(JsonElement root, string name, params string[] keys) =>
            Value(root, name) is { } section ? Object(section, name, keys) : null;

        public bool? Boolean(JsonElement section, string path) => Value(section, path) switch
        {
            null => null,
            { ValueKind: JsonValueKind.True } => true,
            { ValueKind: JsonValueKind.False } => false,
            _ => throw Error(path, "must be true or false"),
        };

        public double? Number(JsonElement section, string path, double min = double.MinValue, double max = double.MaxValue, bool integer = false)
        {
            if (Value(section, path) is not { } value)
                return null;
            if (value.ValueKind != JsonValueKind.Number || (integer && !value.TryGetInt64(out _)))
                throw Error(path, integer ? "must be an integer" : "must be a number");
            double d = value.GetDouble();
            return d >= min && d <= max ? d : throw Error(path, $"must be between {min} and {max}; got {d}");
        }

        public string? String(JsonElement section, string path) => Value(section, path) switch
        {
            null => null,
            { ValueKind: JsonValueKind.String } s => s.GetString(),
            _ => throw Error(path, "must be a string"),
        };

        public List<string> Strings(JsonElement section, string path)
        {
            if (Value(section, path) is not { } value)
                return [];
            if (value.ValueKind != JsonValueKind.Array)
                throw Error(path, "must be an array of strings");
            var list = new List<string>();
            foreach (var item in value.EnumerateArray())
                list.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw Error($"{path}[{list.Count}]", "must be a string"));
            return list;
        }

        /// <summary>The property named by the last segment of <paramref name="path"/>; null when absent or JSON null.</summary>
        private static JsonElement? Value(JsonElement section, string path)
        {
            string name = path[(path.LastIndexOf('.') + 1)..];
            return section.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;
        }
    }
}
