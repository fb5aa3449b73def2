using System.Diagnostics;

namespace Wallfacer.Cli.Tests;

/// <summary>Runs the built <c>wallfacer</c> CLI in a child process, as a user would.</summary>
internal static class CliProcess
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    public static Result Run(params string[] args)
    {
        var (exitCode, stdout, stderr) = RunBytes(args);
        using var reader = new StreamReader(new MemoryStream(stdout)); // decodes as the process's reader did
        return new Result(exitCode, reader.ReadToEnd(), stderr);
    }

    /// <summary>Like <see cref="Run"/> but stdout as raw bytes, for output that must match byte for byte.</summary>
    public static (int ExitCode, byte[] StdOut, string StdErr) RunBytes(params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "wallfacer.dll");
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = ReadAllBytesAsync(p.StandardOutput.BaseStream);
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("wallfacer " + string.Join(' ', args) + " did not finish in 2 minutes.");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    private static async Task<byte[]> ReadAllBytesAsync(Stream stream)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer).ConfigureAwait(false);
        return buffer.ToArray();
    }
}
