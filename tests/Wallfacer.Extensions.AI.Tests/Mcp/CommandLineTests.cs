using Wallfacer.Extensions.AI.Mcp;

namespace Wallfacer.Extensions.AI.Tests.Mcp;

/// <summary>Splitting an MCP server's command line into program and arguments.</summary>
public class CommandLineTests
{
    [Theory]
    [InlineData("dotnet server.dll", "dotnet", new[] { "server.dll" })]
    [InlineData("  npx   -y  pkg  ", "npx", new[] { "-y", "pkg" })]
    [InlineData("\"/opt/my tools/server\" --root '/data/a b'", "/opt/my tools/server", new[] { "--root", "/data/a b" })]
    [InlineData("prog --name=\"x y\"z", "prog", new[] { "--name=x yz" })]
    [InlineData("prog \"say \\\"hi\\\"\" 'it\\s'", "prog", new[] { "say \"hi\"", "it\\s" })]
    [InlineData(@"C:\tools\server.exe C:\data", @"C:\tools\server.exe", new[] { @"C:\data" })]
    [InlineData("prog \"\"", "prog", new[] { "" })]
    public void Quotes_group_words_and_are_removed(string line, string program, string[] arguments)
    {
        var command = CommandLine.Parse(line);
        Assert.Equal(program, command.Program);
        Assert.Equal(arguments, command.Arguments);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void An_empty_command_is_refused(string line)
    {
        var error = Assert.Throws<ArgumentException>(() => CommandLine.Parse(line));
        Assert.Contains("empty", error.Message);
    }

    [Fact]
    public void An_unterminated_quote_is_refused_with_its_position()
    {
        var error = Assert.Throws<ArgumentException>(() => CommandLine.Parse("prog \"open end"));
        Assert.Contains("unterminated \" quote at position 6", error.Message);
    }

    [Fact]
    public void Printing_quotes_what_needs_it_so_the_line_parses_back()
    {
        var command = new CommandLine("/opt/my tools/server", ["--say", "a \"b\"", ""]);
        Assert.Equal(command.Arguments, CommandLine.Parse(command.ToString()).Arguments);
        Assert.Equal(command.Program, CommandLine.Parse(command.ToString()).Program);
    }
}
