using Microsoft.Extensions.Logging;

namespace Wallfacer.Cli.Chat;

/// <summary>Library log messages of warning level and up, as one "wallfacer: warning: …" line each on stderr.</summary>
internal sealed class StderrLogger(LogLevel minimum = LogLevel.Warning) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
        Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
            Console.Error.WriteLine($"wallfacer: {logLevel.ToString().ToLowerInvariant()}: {formatter(state, exception)}");
    }
}
