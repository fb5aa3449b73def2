using Wallfacer.TestSupport;

namespace Wallfacer.Hub.Tests;

public class HubEnvironmentTests
{
    private const string Home = "/home/u";

    private static HubOptions Read(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value);
        return HubEnvironment.Read(name => map.GetValueOrDefault(name), Home);
    }

    [Fact]
    public void Defaults_are_huggingface_co_anonymous_and_the_user_cache()
    {
        var options = Read();

        Assert.Equal(new Uri("https://huggingface.co"), options.Endpoint);
        Assert.Null(options.Token);
        Assert.Equal(Path.Combine(Home, ".cache", "huggingface", "hub"), options.CacheDirectory);
    }

    [Fact]
    public void HF_HOME_moves_the_cache_and_the_token_file()
    {
        string home = TestPaths.NewTempDir();
        File.WriteAllText(Path.Combine(home, "token"), "hf_from_file\n");

        var options = Read(("HF_HOME", home));

        Assert.Equal(Path.Combine(home, "hub"), options.CacheDirectory);
        Assert.Equal("hf_from_file", options.Token);
    }

    [Fact]
    public void HF_HUB_CACHE_and_HF_TOKEN_win_over_HF_HOME()
    {
        string home = TestPaths.NewTempDir();
        File.WriteAllText(Path.Combine(home, "token"), "hf_from_file");

        var options = Read(("HF_HOME", home), ("HF_HUB_CACHE", "/data/hub"), ("HF_TOKEN", "hf_from_env"));

        Assert.Equal("/data/hub", options.CacheDirectory);
        Assert.Equal("hf_from_env", options.Token);
    }

    [Fact]
    public void XDG_CACHE_HOME_and_a_leading_tilde_are_honoured()
    {
        Assert.Equal(Path.Combine("/xdg", "huggingface", "hub"), Read(("XDG_CACHE_HOME", "/xdg")).CacheDirectory);
        Assert.Equal(Path.Combine(Home, "hf", "hub"), Read(("HF_HOME", "~/hf")).CacheDirectory);
        Assert.Equal(Path.Combine(Home, "c"), HubEnvironment.CacheDirectory(n => n == "HF_HUB_CACHE" ? "~/c" : null, Home));
    }

    [Fact]
    public void HF_ENDPOINT_selects_a_mirror_and_must_be_http()
    {
        Assert.Equal(new Uri("http://127.0.0.1:8080/hf"), Read(("HF_ENDPOINT", "http://127.0.0.1:8080/hf/")).Endpoint);
        Assert.Equal(HubErrorKind.InvalidInput, Assert.Throws<HubException>(() => Read(("HF_ENDPOINT", "ftp://x"))).Kind);
    }

    [Fact]
    public void Empty_variables_count_as_unset() =>
        Assert.Null(Read(("HF_TOKEN", ""), ("HF_HOME", TestPaths.NewTempDir())).Token);
}
