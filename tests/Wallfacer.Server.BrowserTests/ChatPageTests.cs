using Microsoft.Playwright;
using Wallfacer.Models.Synthetic;
using Wallfacer.Numerics.Quants;
using Wallfacer.TestSupport;

namespace Wallfacer.Server.BrowserTests;

/// <summary>Skips when Debian's Chromium is absent — except under CI, where <c>.ci/run</c> installs it and absence is a failure.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Chromium = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(Chromium) && Environment.GetEnvironmentVariable("CI") != "true")
            Skip = $"{Chromium} is absent (apt-get install chromium); the browser test needs it.";
    }
}

/// <summary>The web chat page in a real browser: send a message, watch the answer stream in, press stop.</summary>
public sealed class ChatPageTests : IDisposable
{
    private readonly string _model = Path.Combine(Path.GetTempPath(), "wallfacer-tests", Guid.NewGuid().ToString("N") + ".gguf");

    public ChatPageTests()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_model)!);
        SyntheticModelWriter.Write(new SyntheticModelSpec
        {
            Architecture = "llama", EmbeddingLength = 128, BlockCount = 2, HeadCount = 4, KvHeadCount = 2, FeedForwardLength = 192,
            // A large vocabulary makes the end tokens (2 of 32,000) unlikely, so the answer is still streaming when stop is pressed.
            VocabSize = 32000, WeightType = GgmlType.Q8_0, ContextLength = 4096, WeightScale = 0.3f, WithChatTemplate = true,
        }, _model);
    }

    [ChromiumFact]
    public async Task A_message_streams_an_answer_and_stop_ends_it()
    {
        await using var server = await WallfacerServer.StartAsync(new ServerOptions { ModelPath = _model, Port = 0, Parallel = 1, ContextLength = 4096, Threads = 1 });
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumFactAttribute.Chromium, Headless = true });
        var page = await browser.NewPageAsync();
        await page.GotoAsync(server.Url + "/");

        // A slowed-down network would make streaming visible; here the answer is long enough (max context) to stop mid-way.
        await page.FillAsync("#temperature", "1");
        await page.FillAsync("#input", "write a very long story");
        await page.ClickAsync("#send");
        var answer = page.Locator(".msg.assistant").Last;
        await Assertions.Expect(answer).Not.ToBeEmptyAsync(new() { Timeout = 30_000 });
        string early = await answer.InnerTextAsync();
        await Assertions.Expect(page.Locator("#stop")).ToBeEnabledAsync();
        await page.ClickAsync("#stop");
        await Assertions.Expect(answer).ToContainTextAsync("(stopped)", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#send")).ToBeEnabledAsync();
        Assert.StartsWith(early.TrimEnd(), (await answer.InnerTextAsync()).TrimEnd()); // it grew from what was first shown
        Assert.Matches(@"\d+ tokens", await page.Locator("#stats").InnerTextAsync());

        string artifacts = Path.Combine(TestPaths.RepoRoot, "artifacts");
        Directory.CreateDirectory(artifacts);
        await page.ScreenshotAsync(new() { Path = Path.Combine(artifacts, "chat-page.png"), FullPage = true });

        // The conversation is kept in the browser across a reload.
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator(".msg.user")).ToHaveCountAsync(1);
    }

    public void Dispose()
    {
        try { File.Delete(_model); } catch (IOException) { }
    }
}
