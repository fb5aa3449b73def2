using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using Wallfacer.Gguf;
using Wallfacer.Models;

namespace Wallfacer.Cli.Commands;

/// <summary><c>wallfacer inspect MODEL [--json]</c>: metadata, tensors, parameter count, memory estimate.</summary>
internal static class InspectCommand
{
    private const int MaxShownArrayItems = 8;

    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = CommonOptions.ModelDescription };
        var json = CommonOptions.Json();
        var command = new Command("inspect", "Show a GGUF file's metadata, tensor table, parameter count and memory estimate.")
        {
            model, json,
        };
        CommandRunner.SetAction(command, (parse, _) =>
        {
            using var file = GgufFile.Open(ModelLocator.Resolve(parse.GetValue(model)!));
            var summary = Summarize(file);
            if (parse.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(summary, JsonOptions.Indented));
            else
                Render(summary);
            return 0;
        });
        return command;
    }

    internal sealed record TensorRow(string Name, string Type, long[] Shape, long Elements, long Bytes);

    internal sealed record Summary(string? File, uint Version, string? Architecture, long FileBytes, long Parameters,
        long WeightBytes, long KvCacheBytesAtDefaultContext, int DefaultContext, long EstimatedMemoryBytes,
        Dictionary<string, object?> Metadata, List<TensorRow> Tensors);

    internal static Summary Summarize(GgufFile file)
    {
        var tensors = file.Tensors
            .Select(t => new TensorRow(t.Name, t.Type.ToString(), t.Dimensions, t.ElementCount, t.ByteSize)).ToList();
        long parameters = tensors.Sum(t => t.Elements), weightBytes = tensors.Sum(t => t.Bytes);
        var (kvBytes, context) = KvEstimate(file);
        var metadata = file.Metadata.ToDictionary(kv => kv.Key, kv => Display(kv.Value));
        string? arch = file.Metadata.GetStringOrNull(GgufKeys.GeneralArchitecture);
        return new Summary(file.FilePath, file.Version, arch, file.FileLength, parameters, weightBytes, kvBytes, context,
            weightBytes + kvBytes, metadata, tensors);
    }

    private static (long Bytes, int Context) KvEstimate(GgufFile file)
    {
        try
        {
            var arch = ArchitectureRegistry.Get(file.Architecture);
            var c = arch.ReadConfig(file);
            int context = Math.Min(c.TrainedContextLength, 4096);
            return ((long)c.BlockCount * context * (c.KeyWidth + c.ValueWidth) * sizeof(ushort), context);
        }
        catch (Exception ex) when (ex is NotSupportedException or KeyNotFoundException or InvalidDataException or GgufFormatException)
        {
            return (0, 0);
        }
    }

    private static object? Display(GgufValue value)
    {
        if (value.Type != GgufValueType.Array)
            return value.Value;
        if (value.ArrayLength <= MaxShownArrayItems)
            return value.AsArray().Select(Display).ToArray();
        return $"[{value.ElementType} × {value.ArrayLength}]";
    }

    private static void Render(Summary s)
    {
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(s.File ?? "")}[/]  GGUF v{s.Version}  {Bytes(s.FileBytes)}");
        var meta = new Table().AddColumn("key").AddColumn("value");
        foreach (var (key, v) in s.Metadata)
            meta.AddRow(Markup.Escape(key), Markup.Escape(Shorten(Format(v))));
        AnsiConsole.Write(meta);

        var table = new Table().AddColumn("tensor").AddColumn("type").AddColumn("shape").AddColumn(new TableColumn("bytes").RightAligned());
        foreach (var t in s.Tensors)
            table.AddRow(Markup.Escape(t.Name), t.Type, string.Join(" × ", t.Shape), Bytes(t.Bytes));
        AnsiConsole.Write(table);

        var byType = s.Tensors.GroupBy(t => t.Type).Select(g => $"{g.Key}: {g.Count()}");
        AnsiConsole.MarkupLine($"tensors: {s.Tensors.Count} ({string.Join(", ", byType)})");
        AnsiConsole.MarkupLine($"parameters: {s.Parameters:N0} ({s.Parameters / 1e9:F2} B)");
        AnsiConsole.MarkupLine($"weights: {Bytes(s.WeightBytes)} (memory-mapped, not copied)");
        if (s.DefaultContext > 0)
            AnsiConsole.MarkupLine($"KV cache at {s.DefaultContext} tokens (F16): {Bytes(s.KvCacheBytesAtDefaultContext)}");
        AnsiConsole.MarkupLine($"estimated memory: {Bytes(s.EstimatedMemoryBytes)} + activations");
    }

    private static string Format(object? v) => v switch
    {
        null => "",
        object?[] items => "[" + string.Join(", ", items.Select(Format)) + "]",
        _ => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };

    private static string Shorten(string s) => s.Length <= 120 ? s : s[..117] + "…";

    internal static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):F2} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):F1} MiB",
        >= 1L << 10 => $"{bytes / 1024.0:F1} KiB",
        _ => $"{bytes} B",
    };
}
