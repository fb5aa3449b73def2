using System.CommandLine;

namespace Wallfacer.Cli.Commands;

/// <summary>
/// Runs a verb's body with the CLI's error policy: a failure is one clear line on stderr and exit code 1;
/// the stack trace only with <c>--verbose</c>. Ctrl+C cancels the token and exits with 130 — unless the verb
/// handles Ctrl+C itself (<c>chat</c> stops the current answer, not the program).
/// </summary>
internal static class CommandRunner
{
    public static void SetAction(Command command, Func<ParseResult, CancellationToken, Task<int>> body,
        bool handlesCtrlCItself = false)
    {
        command.SetAction(async (parse, invocationToken) =>
        {
            using var interrupted = CancellationTokenSource.CreateLinkedTokenSource(invocationToken);
            ConsoleCancelEventHandler onCtrlC = (_, e) =>
            {
                e.Cancel = true; // finish gracefully: the body sees its token cancelled
                interrupted.Cancel();
            };
            if (!handlesCtrlCItself)
                Console.CancelKeyPress += onCtrlC;
            var ct = interrupted.Token;
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
            finally
            {
                Console.CancelKeyPress -= onCtrlC;
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
