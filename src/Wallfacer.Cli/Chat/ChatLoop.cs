using Wallfacer.Inference.Chat;
using Wallfacer.Inference.Engine;

namespace Wallfacer.Cli.Chat;

/// <summary>
/// The interactive loop of <c>wallfacer chat</c>: read a message (or a /command), render the whole
/// conversation with the model's chat template, and stream the answer. The session's prompt cache makes
/// each turn evaluate only its new tokens. Ctrl+C stops the current answer (what was written is kept);
/// at the prompt it ends the program. Answers go to stdout, everything else to stderr.
/// </summary>
internal sealed class ChatLoop(
    InferenceSession session, ChatFormatter formatter, ChatTranscript transcript, GenerationOptions options,
    TextReader input, TextWriter output, TextWriter status, string modelName, CloudAssist? cloud = null)
{
    private readonly ChatInputReader _reader = new(input);
    private CancellationTokenSource? _answer;
    private GenerationRun? _lastRun;

    /// <summary>Answers shorter than this are always left room for; longer prompts drop the oldest messages first.</summary>
    private int ReservedForAnswer => Math.Min(options.MaxTokens > 0 ? options.MaxTokens : 256, session.ContextLength / 4);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        Console.CancelKeyPress += OnCtrlC;
        try
        {
            status.WriteLine($"wallfacer chat · {modelName} · template: {formatter.TemplateName} · context {session.ContextLength} tokens");
            status.WriteLine("Type a message; end a line with \\ to continue it, or wrap text in \"\"\" lines. /help lists commands.");
            await _reader.PumpAsync(output, RunCommand, message => AnswerAsync(message, cancellationToken), cancellationToken).ConfigureAwait(false);
            return 0;
        }
        finally
        {
            Console.CancelKeyPress -= OnCtrlC;
        }
    }

    private void OnCtrlC(object? sender, ConsoleCancelEventArgs e)
    {
        if (Volatile.Read(ref _answer) is { } answer)
        {
            e.Cancel = true; // stop the answer, keep the program
            answer.Cancel();
        }
    }

    private async Task AnswerAsync(string message, CancellationToken cancellationToken)
    {
        transcript.Add("user", message);
        var prompt = FitPrompt();
        if (prompt is null)
            return;

        int room = session.ContextLength - prompt.Length;
        var run = TextGenerator.Start(session, prompt, options with
        {
            MaxTokens = options.MaxTokens > 0 ? Math.Min(options.MaxTokens, room) : room,
            ReuseCachedPrefix = true,
        });
        using var answer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Volatile.Write(ref _answer, answer);
        bool stopped = false;
        try
        {
            await foreach (var step in run.StepsAsync(answer.Token).ConfigureAwait(false))
            {
                output.Write(step.Text);
                output.Flush();
            }
        }
        catch (OperationCanceledException) when (answer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            stopped = true;
        }
        finally
        {
            Volatile.Write(ref _answer, null);
        }
        output.WriteLine();
        output.Flush();
        string answerText = run.Text;
        if (cloud is not null && !stopped)
            answerText = await AskCloudIfNeededAsync(answerText, run.Confidence, cancellationToken).ConfigureAwait(false);
        transcript.Add("assistant", answerText);
        _lastRun = run;
        if (stopped)
            status.WriteLine("[answer stopped; what was written is kept]");
        else if (run.FinishReason == FinishReason.ContextFull)
            status.WriteLine("[answer cut: the context is full; the next turn drops the oldest messages, or /reset]");
        status.WriteLine($"{ContextGauge.Render(session.Tokens.Count, session.ContextLength)} " +
                         $"{run.GeneratedTokenCount} tokens, {TokensPerSecond(run.GeneratedTokenCount, run.GenerationTime):F1} tok/s");
    }

    /// <summary>Lets the collaboration policies review the local answer; prints where the answer came from.</summary>
    private async Task<string> AskCloudIfNeededAsync(string localAnswer, GenerationConfidence confidence, CancellationToken ct)
    {
        var (answer, decision) = await cloud!.ReviewAsync(transcript.Messages, transcript.SystemPrompt, localAnswer, confidence, ct).ConfigureAwait(false);
        if (decision.AnsweredBy == "cloud")
        {
            status.WriteLine($"[the cloud answers instead: {string.Join("; ", decision.Reasons)}]");
            output.WriteLine(answer);
            output.Flush();
            return answer;
        }
        status.WriteLine($"[answered on the device: {string.Join("; ", decision.Reasons)}]");
        return localAnswer;
    }

    /// <summary>
    /// The context policy: the whole conversation is sent each turn; when it would leave less than
    /// <see cref="ReservedForAnswer"/> tokens, the oldest exchanges are dropped — and the user is told. A
    /// single message that cannot fit is refused. Nothing is ever cut silently.
    /// </summary>
    private int[]? FitPrompt()
    {
        int dropped = 0;
        while (true)
        {
            var tokens = formatter.Tokenize(formatter.Render(transcript.ToTemplateMessages()));
            if (tokens.Length + ReservedForAnswer <= session.ContextLength)
            {
                if (dropped > 0)
                    status.WriteLine($"[context full: dropped the {dropped} oldest messages to make room]");
                return tokens;
            }
            if (transcript.Messages.Count <= 1)
            {
                transcript.Clear();
                status.WriteLine($"error: the message needs {tokens.Length} tokens plus {ReservedForAnswer} for the answer, " +
                                 $"but the context holds {session.ContextLength}; it was not sent.");
                return null;
            }
            dropped += transcript.DropOldestExchange();
        }
    }

    /// <summary>Runs a /command; false means leave the chat.</summary>
    private bool RunCommand(string line)
    {
        int space = line.IndexOf(' ');
        string name = space < 0 ? line : line[..space];
        string argument = space < 0 ? "" : line[(space + 1)..].Trim();
        try
        {
            switch (name)
            {
                case "/exit" or "/quit":
                    return false;
                case "/help":
                    status.WriteLine("/reset  forget the conversation (the system prompt stays)\n" +
                                     "/save FILE  write the conversation to FILE (JSON) and its KV cache to FILE.kv\n" +
                                     "/load FILE  continue a saved conversation\n" +
                                     "/stats  context use and speed of the last answer\n" +
                                     "/exit  leave (also end of input); Ctrl+C stops an answer");
                    break;
                case "/reset":
                    transcript.Clear();
                    session.Reset();
                    status.WriteLine("[conversation cleared]");
                    break;
                case "/save":
                    Save(RequirePath(argument, name));
                    break;
                case "/load":
                    Load(RequirePath(argument, name));
                    break;
                case "/stats":
                    WriteStats();
                    break;
                default:
                    status.WriteLine($"error: unknown command {name}; /help lists the commands.");
                    break;
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException)
        {
            status.WriteLine("error: " + ex.Message);
        }
        return true;
    }

    private static string RequirePath(string argument, string command) =>
        argument.Length > 0 ? argument : throw new ArgumentException($"{command} needs a file name, e.g. {command} chat.json");

    private void Save(string path)
    {
        transcript.Save(path, modelName);
        using (var stream = File.Create(path + ".kv"))
            session.SaveState(stream);
        status.WriteLine($"[saved {transcript.Messages.Count} messages to {path}, KV cache of {session.Tokens.Count} tokens to {path}.kv]");
    }

    private void Load(string path)
    {
        transcript.Load(path);
        string cache = path + ".kv";
        string restored = "";
        if (File.Exists(cache))
        {
            try
            {
                using var stream = File.OpenRead(cache);
                session.LoadState(stream, cache);
                restored = $", KV cache of {session.Tokens.Count} tokens restored";
            }
            catch (InvalidDataException ex)
            {
                restored = $"; KV cache not restored ({ex.Message}), the next turn re-reads the conversation";
            }
        }
        status.WriteLine($"[loaded {transcript.Messages.Count} messages from {path}{restored}]");
    }

    private void WriteStats()
    {
        status.WriteLine(ContextGauge.Render(session.Tokens.Count, session.ContextLength));
        status.WriteLine($"messages: {transcript.Messages.Count} · template: {formatter.TemplateName} · threads: {session.ThreadCount}");
        if (_lastRun is { } run)
        {
            int evaluated = run.PromptTokens.Count - run.CachedPromptTokens;
            status.WriteLine($"last prompt: {run.PromptTokens.Count} tokens ({run.CachedPromptTokens} from cache, {evaluated} evaluated, " +
                             $"{TokensPerSecond(evaluated, run.PromptTime):F1} tok/s)");
            status.WriteLine($"last answer: {run.GeneratedTokenCount} tokens, {TokensPerSecond(run.GeneratedTokenCount, run.GenerationTime):F1} tok/s, " +
                             $"ended by {run.FinishReason}");
        }
    }

    private static double TokensPerSecond(int tokens, TimeSpan time) => time > TimeSpan.Zero ? tokens / time.TotalSeconds : 0;
}
