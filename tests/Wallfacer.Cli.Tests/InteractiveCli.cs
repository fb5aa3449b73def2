using System.Diagnostics;
using System.Text;

namespace Wallfacer.Cli.Tests;

/// <summary>
/// The <c>wallfacer</c> CLI in a child process driven line by line through redirected stdin, as a person
/// at a terminal would: write a line, wait until the output shows something, interrupt with SIGINT.
/// </summary>
internal sealed class InteractiveCli : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly object _gate = new();

    public InteractiveCli(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
            UseShellExecute = false, StandardOutputEncoding = Encoding.UTF8, StandardErrorEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "wallfacer.dll"));
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        _process = Process.Start(psi)!;
        // Character by character, not line by line: a streamed answer has no newline until it ends.
        _readers = [Pump(_process.StandardOutput, _stdout), Pump(_process.StandardError, _stderr)];
    }

    private readonly Task[] _readers;

    private Task Pump(StreamReader reader, StringBuilder into) => Task.Run(async () =>
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
            lock (_gate)
                into.Append(buffer, 0, read);
    });

    public string StdOut { get { lock (_gate) return _stdout.ToString(); } }
    public string StdErr { get { lock (_gate) return _stderr.ToString(); } }

    public void WriteLine(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>Waits until stderr holds <paramref name="count"/> occurrences of <paramref name="text"/>.</summary>
    public void WaitForStdErr(string text, int count = 1, int timeoutSeconds = 60) =>
        WaitFor(() => Occurrences(StdErr, text) >= count, $"{count}× '{text}' on stderr");

    public void WaitUntil(Func<bool> condition, string what, int timeoutSeconds = 60) => WaitFor(condition, what, timeoutSeconds);

    private void WaitFor(Func<bool> condition, string what, int timeoutSeconds = 60)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (_process.HasExited && !condition())
                throw new InvalidOperationException($"wallfacer exited ({_process.ExitCode}) before {what}.\nstdout:\n{StdOut}\nstderr:\n{StdErr}");
            if (clock.Elapsed > TimeSpan.FromSeconds(timeoutSeconds))
                throw new TimeoutException($"no {what} after {timeoutSeconds} s.\nstdout:\n{StdOut}\nstderr:\n{StdErr}");
            Thread.Sleep(10);
        }
    }

    /// <summary>Sends SIGINT, as Ctrl+C at a terminal does.</summary>
    public void Interrupt()
    {
        using var kill = Process.Start("kill", ["-INT", _process.Id.ToString()])!;
        kill.WaitForExit();
    }

    public int CloseInputAndWait(int timeoutSeconds = 60)
    {
        _process.StandardInput.Close();
        if (!_process.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
            throw new TimeoutException($"wallfacer did not exit.\nstderr:\n{StdErr}");
        Task.WaitAll(_readers, TimeSpan.FromSeconds(10)); // drain what is left of the output
        return _process.ExitCode;
    }

    public static int Occurrences(string haystack, string needle)
    {
        int count = 0;
        for (int i = haystack.IndexOf(needle, StringComparison.Ordinal); i >= 0; i = haystack.IndexOf(needle, i + needle.Length, StringComparison.Ordinal))
            count++;
        return count;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
