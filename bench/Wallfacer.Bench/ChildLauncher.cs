using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace Wallfacer.Bench;

/// <summary>Starts this program again as a measuring child (<c>--child ENGINE</c>) and reads back its JSON line.</summary>
internal static class ChildLauncher
{
    /// <summary>Runs one child for <paramref name="engine"/> ("wallfacer" or "llama") and returns what it measured.</summary>
    public static ChildResult Run(string engine, string modelPath, int threads, int[] promptLengths, int generate,
        int contextLength, int batchSize)
    {
        string json = RunChild(engine, modelPath, threads, ["--prompt", string.Join(',', promptLengths.Select(Text)), "--gen", Text(generate),
            "--ctx", Text(contextLength), "--batch", Text(batchSize)]);
        return JsonSerializer.Deserialize<ChildResult>(json, BenchJson.Options)
               ?? throw new InvalidDataException($"The {engine} child printed no result: {json}");
    }

    /// <summary>Runs one batched-decode child (<c>--sequences N</c>) for <paramref name="engine"/>.</summary>
    public static BatchedDecodeResult RunBatched(string engine, string modelPath, int threads, int sequences, int steps, int contextLength)
    {
        string json = RunChild(engine, modelPath, threads, ["--sequences", Text(sequences), "--gen", Text(steps), "--ctx", Text(contextLength)]);
        return JsonSerializer.Deserialize<BatchedDecodeResult>(json, BenchJson.Options)
               ?? throw new InvalidDataException($"The {engine} child printed no result: {json}");
    }

    private static string RunChild(string engine, string modelPath, int threads, string[] more)
    {
        var start = StartInfo();
        foreach (string arg in (string[])["--child", engine, "--model", modelPath, "--threads", Text(threads), .. more])
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        string errors = stderr.GetAwaiter().GetResult();
        string? json = stdout.Split('\n').LastOrDefault(line => line.TrimStart().StartsWith('{'));
        if (process.ExitCode != 0 || json == null)
            throw new InvalidOperationException(
                $"The {engine} child ({threads} threads, {Path.GetFileName(modelPath)}) failed with exit code {process.ExitCode}:\n{errors}{stdout}");
        return json;
    }

    /// <summary>This program: its apphost, or <c>dotnet Wallfacer.Bench.dll</c> when it was started that way.</summary>
    private static ProcessStartInfo StartInfo()
    {
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot tell which executable is running.");
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            start.ArgumentList.Add(Assembly.GetExecutingAssembly().Location);
        return start;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
