using Microsoft.Extensions.Logging;

namespace Wallfacer.Cli.Commands;

/// <summary>
/// The hub client's log lines on stderr with <c>--verbose</c>: a dozen lines per pull do not justify the console
/// logging stack and its configuration packages.
/// </summary>
internal sealed class StderrLogger(LogLevel minimum) : ILogger
{
    public static ILogger For(bool verbose) => new StderrLogger(verbose ? LogLevel.Debug : LogLevel.Warning);

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
            Console.Error.WriteLine($"wallfacer: {logLevel.ToString().ToLowerInvariant()}: {formatter(state, exception)}");
    }
}
