using System.CommandLine;

namespace Wallfacer.Cli.Commands;

/// <summary>
/// Runs a verb's body with the CLI's error policy: a failure is one clear line on stderr and exit code 1;
/// the stack trace only with <c>--verbose</c>. Ctrl+C cancels the token and exits with 130.
/// </summary>
internal static class CommandRunner
{
    public static void SetAction(Command command, Func<ParseResult, CancellationToken, Task<int>> body)
    {
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                return await body(parse, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                await Console.Error.WriteLineAsync("wallfacer: cancelled.").ConfigureAwait(false);
                return 130;
            }
            catch (Exception ex)
            {
                bool verbose = parse.GetValue(CommonOptions.Verbose);
                await Console.Error.WriteLineAsync("wallfacer: error: " + Describe(ex, verbose)).ConfigureAwait(false);
                return 1;
            }
        });
    }

    public static void SetAction(Command command, Func<ParseResult, CancellationToken, int> body) =>
        SetAction(command, (parse, ct) => Task.FromResult(body(parse, ct)));

    private static string Describe(Exception ex, bool verbose)
    {
        if (verbose)
            return ex.ToString();
        var inner = ex is AggregateException { InnerException: { } i } ? i : ex;
        return inner.Message;
    }
}
