using LocalAssistant.Tools;

namespace Wallfacer.Extensions.AI.Tests.Samples;

/// <summary>The sample's file search: what it finds, how much it reads, and that it never leaves its root.</summary>
public sealed class FileSearchTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wallfacer-search-").FullName;
    private readonly string _root;
    private readonly string _outside;

    public FileSearchTests()
    {
        _root = Directory.CreateDirectory(Path.Combine(_dir, "root")).FullName;
        _outside = Directory.CreateDirectory(Path.Combine(_dir, "outside")).FullName;
        Write("notes/todo.txt", "buy milk\nCall the PLUMBER on Monday\nwater plants");
        Write("notes/deep/old.md", "the plumber came");
        Write("readme.txt", "nothing here");
        File.WriteAllBytes(Path.Combine(_root, "image.bin"), [0x89, 0, 1, 2, .. "plumber"u8]);
        File.WriteAllText(Path.Combine(_outside, "secret.txt"), "plumber's secret");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void Write(string relative, string text)
    {
        string path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    [Fact]
    public void Finds_matching_lines_case_insensitively_with_path_and_line_number()
    {
        string result = new FileSearch(_root).Search(".", "plumber");
        var lines = result.Split('\n');
        Assert.Equal("2 lines contain \"plumber\" under .:", lines[0]);
        Assert.Equal(["notes/deep/old.md:1: the plumber came", "notes/todo.txt:2: Call the PLUMBER on Monday"], lines[1..].Order());
    }

    [Fact]
    public void Searches_only_the_given_subfolder_and_says_when_nothing_matches()
    {
        Assert.DoesNotContain("todo.txt", new FileSearch(_root).Search("notes/deep", "plumber"));
        Assert.StartsWith("No line contains \"zebra\"", new FileSearch(_root).Search("notes", "zebra"));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("../outside")]
    [InlineData("notes/../../outside")]
    public void Refuses_relative_paths_that_leave_the_root(string folder)
    {
        var error = Assert.Throws<UnauthorizedAccessException>(() => new FileSearch(_root).Search(folder, "plumber"));
        Assert.Contains("outside the searchable folder", error.Message);
    }

    [Fact]
    public void Refuses_absolute_paths_elsewhere_and_a_root_that_is_only_a_prefix()
    {
        Assert.Throws<UnauthorizedAccessException>(() => new FileSearch(_root).Search(_outside, "plumber"));
        Directory.CreateDirectory(_root + "-sibling"); // "/x/root-sibling" starts with "/x/root" but is not inside it
        Assert.Throws<UnauthorizedAccessException>(() => new FileSearch(_root).Search(_root + "-sibling", "plumber"));
        Assert.Contains("todo.txt", new FileSearch(_root).Search(Path.Combine(_root, "notes"), "plumber"));
    }

    [Fact]
    public void Refuses_a_link_out_of_the_root_and_does_not_follow_links_while_walking()
    {
        Directory.CreateSymbolicLink(Path.Combine(_root, "escape"), _outside);
        File.CreateSymbolicLink(Path.Combine(_root, "secret-link.txt"), Path.Combine(_outside, "secret.txt"));

        var error = Assert.Throws<UnauthorizedAccessException>(() => new FileSearch(_root).Search("escape", "plumber"));
        Assert.Contains("is a link to", error.Message);
        Assert.DoesNotContain("secret", new FileSearch(_root).Search(".", "plumber"));
    }

    [Fact]
    public void A_missing_folder_or_empty_text_is_a_clear_error()
    {
        Assert.Contains("no folder 'nope'", Assert.Throws<DirectoryNotFoundException>(() => new FileSearch(_root).Search("nope", "x")).Message);
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => new FileSearch(_root).Search(".", " ")).Message);
        Assert.Throws<DirectoryNotFoundException>(() => new FileSearch(Path.Combine(_dir, "absent")));
    }

    [Fact]
    public void Stops_at_the_file_limit_and_says_so()
    {
        for (int i = 0; i < 10; i++)
            Write($"many/f{i:D2}.txt", "needle");
        string result = new FileSearch(_root, new FileSearchLimits { MaxFiles = 3 }).Search("many", "needle");
        Assert.StartsWith("3 lines contain", result);
        Assert.Contains("the limit of 3 files was reached", result);
    }

    [Fact]
    public void Reads_only_the_head_of_large_files_and_at_most_the_total_budget()
    {
        Write("big/large.txt", new string('a', 5000) + "\nneedle at the end");
        Write("big/small.txt", "needle early");
        string perFile = new FileSearch(_root, new FileSearchLimits { MaxBytesPerFile = 1000 }).Search("big", "needle");
        Assert.Contains("small.txt:1: needle early", perFile);
        Assert.DoesNotContain("large.txt", perFile.Split('\n')[1..^1].FirstOrDefault(l => l.StartsWith("big/large")) ?? "");
        Assert.Contains("1 large files were searched only in their first 1000 bytes", perFile);

        string total = new FileSearch(_root, new FileSearchLimits { MaxTotalBytes = 10 }).Search(".", "plumber");
        Assert.Contains("bytes read was reached", total);
    }

    [Fact]
    public void Stops_at_the_match_limit()
    {
        Write("list.txt", string.Join('\n', Enumerable.Repeat("needle", 50)));
        string result = new FileSearch(_root, new FileSearchLimits { MaxMatches = 5 }).Search(".", "needle");
        Assert.StartsWith("5 lines contain", result);
        Assert.Contains("the first 5 matches are shown", result);
    }
}
