using System.Text;
using Wallfacer.Inference.Sampling;

namespace Wallfacer.Inference.Tests.Sampling;

public class StopStringMatcherTests
{
    /// <summary>Pushes pieces until a stop fires; returns every emitted text, the flush included when no stop fired.</summary>
    private static (string Emitted, string? Stop) Run(string[] stops, params string[] pieces)
    {
        var matcher = new StopStringMatcher(stops);
        var emitted = new StringBuilder();
        foreach (string piece in pieces)
        {
            StopMatch match = matcher.Push(piece);
            emitted.Append(match.Text);
            if (match.Stopped) return (emitted.ToString(), match.StopString);
        }

        return (emitted.Append(matcher.Flush()).ToString(), null);
    }

    [Fact]
    public void Stop_inside_one_piece_emits_the_text_before_it()
    {
        Assert.Equal(("Hello ", "END"), Run(["END"], "Hello END world"));
    }

    [Fact]
    public void Stop_across_pieces_is_held_back_and_never_emitted()
    {
        var matcher = new StopStringMatcher(["END"]);
        Assert.Equal(new StopMatch("Hel", false, null), matcher.Push("Hel"));
        Assert.Equal(new StopMatch("lo ", false, null), matcher.Push("lo E")); // "E" might start "END"
        Assert.Equal(new StopMatch("", false, null), matcher.Push("N"));
        Assert.Equal(new StopMatch("", true, "END"), matcher.Push("D more"));
        Assert.True(matcher.IsStopped);
        Assert.Equal(new StopMatch("", true, null), matcher.Push("ignored"));
    }

    [Fact]
    public void A_false_start_is_released()
    {
        var matcher = new StopStringMatcher(["END"]);
        Assert.Equal("a", matcher.Push("aEN").Text);
        Assert.Equal("ENx", matcher.Push("x").Text);
        Assert.Equal("", matcher.Push("E").Text);
        Assert.Equal("E", matcher.Flush()); // generation ended: the held-back text is released
    }

    [Fact]
    public void The_stop_that_completes_first_wins()
    {
        // "bc" is complete at "abc" while "abcd" still needs a "d": generation would halt on "bc".
        Assert.Equal(("xa", "bc"), Run(["abcd", "bc"], "xabcd"));
        Assert.Equal(("xa", "bc"), Run(["abcd", "bc"], "x", "a", "b", "c", "d"));
        // Two stops ending at the same place: the longer one is cut.
        Assert.Equal(("x", "bcd"), Run(["cd", "bcd"], "xbcd"));
        Assert.Equal(("x", "bcd"), Run(["cd", "bcd"], "xb", "cd"));
    }

    [Fact]
    public void Self_overlapping_stop_is_found_after_a_partial_match()
    {
        Assert.Equal(("a", "aab"), Run(["aab"], "a", "a", "a", "b"));
        Assert.Equal(("xaa", null), Run(["aab"], "x", "a", "a"));
    }

    [Fact]
    public void Any_of_several_stops_ends_the_text()
    {
        string[] stops = ["\nUser:", "</s>", "###"];
        Assert.Equal(("Sure.", "\nUser:"), Run(stops, "Sure.\nUs", "er: hi"));
        Assert.Equal(("Done", "</s>"), Run(stops, "Done</", "s>"));
        Assert.Equal(("a # b ## c", null), Run(stops, "a # b ", "## c"));
    }

    [Fact]
    public void Unicode_stops_and_pieces()
    {
        Assert.Equal(("你好", "世界"), Run(["世界"], "你好世", "界!"));
        Assert.Equal(("hi ", "😀end"), Run(["😀end"], "hi 😀", "en", "d"));
        Assert.Equal(("café 😀en", null), Run(["😀end"], "café ", "😀", "en"));
    }

    [Fact]
    public void No_stops_passes_text_straight_through()
    {
        var matcher = new StopStringMatcher([]);
        Assert.Equal(new StopMatch("anything", false, null), matcher.Push("anything"));
        Assert.Equal("", matcher.Flush());
    }

    [Fact]
    public void Empty_stop_strings_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new StopStringMatcher(["ok", ""]));
        Assert.Throws<ArgumentNullException>(() => new StopStringMatcher(null!));
    }

    [Fact]
    public void Result_does_not_depend_on_how_the_text_is_split()
    {
        string[] stops = ["ab", "bca", "cc", "abcab"];
        var random = new Random(123);
        for (int trial = 0; trial < 500; trial++)
        {
            string text = new(Enumerable.Range(0, random.Next(1, 12)).Select(_ => "abcx"[random.Next(4)]).ToArray());
            (string Emitted, string? Stop) whole = Run(stops, text);

            var pieces = new List<string>();
            for (int at = 0; at < text.Length;)
            {
                int length = random.Next(1, text.Length - at + 1);
                pieces.Add(text.Substring(at, length));
                at += length;
            }

            Assert.Equal(whole, Run(stops, [.. pieces]));
            Assert.StartsWith(whole.Emitted + whole.Stop, text, StringComparison.Ordinal);
        }
    }
}
