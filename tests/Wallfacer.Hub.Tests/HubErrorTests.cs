namespace Wallfacer.Hub.Tests;

public class HubErrorTests : HubTestBase
{
    private const string RepoId = "acme/tiny-GGUF";

    [Fact]
    public async Task A_missing_repository_is_not_found_and_mentions_the_token_when_none_was_given()
    {
        var error = await PullFailsAsync("acme/nothing-here");

        Assert.Equal(HubErrorKind.NotFound, error.Kind);
        Assert.StartsWith("repository or file not found: acme/nothing-here", error.Message);
        Assert.Contains("HF_TOKEN", error.Message);
    }

    [Fact]
    public async Task A_missing_repository_with_a_token_does_not_blame_the_missing_token()
    {
        var error = await PullFailsAsync("acme/nothing-here", token: "hf_x");

        Assert.Equal(HubErrorKind.NotFound, error.Kind);
        Assert.DoesNotContain("No token", error.Message);
    }

    [Fact]
    public async Task A_missing_revision_says_so()
    {
        Hub.AddRepo(RepoId).Add("tiny-Q4_0.gguf");
        using var client = Client();

        var error = await Assert.ThrowsAsync<HubException>(() => client.PullAsync(ModelReference.Parse(RepoId), revision: "v9"));

        Assert.Equal(HubErrorKind.NotFound, error.Kind);
        Assert.StartsWith("revision not found: acme/tiny-GGUF (revision v9)", error.Message);
    }

    [Fact]
    public async Task A_private_repository_without_a_token_asks_for_HF_TOKEN()
    {
        Hub.RequiredToken = "hf_secret";
        Hub.AddRepo(RepoId).Add("tiny-Q4_0.gguf");

        var error = await PullFailsAsync(RepoId);

        Assert.Equal(HubErrorKind.Unauthorized, error.Kind);
        Assert.Contains("401", error.Message);
        Assert.Contains("Set HF_TOKEN", error.Message);
    }

    [Fact]
    public async Task A_rejected_token_is_reported_as_such()
    {
        Hub.RequiredToken = "hf_secret";
        Hub.AddRepo(RepoId).Add("tiny-Q4_0.gguf");

        var error = await PullFailsAsync(RepoId, token: "hf_wrong");

        Assert.Equal(HubErrorKind.Unauthorized, error.Kind);
        Assert.Contains("rejected the token", error.Message);
    }

    [Fact]
    public async Task A_gated_repository_says_where_to_accept_its_terms()
    {
        Hub.Gated = true;
        Hub.AddRepo(RepoId).Add("tiny-Q4_0.gguf");

        var error = await PullFailsAsync(RepoId, token: "hf_x");

        Assert.Equal(HubErrorKind.Forbidden, error.Kind);
        Assert.Contains("gated", error.Message);
        Assert.Contains(Hub.Endpoint.AbsoluteUri.TrimEnd('/') + "/" + RepoId, error.Message);
    }

    [Fact]
    public async Task An_unreachable_hub_is_a_network_error()
    {
        var options = Options() with { Endpoint = new Uri("http://127.0.0.1:1") };
        using var client = new HubClient(options);

        var error = await Assert.ThrowsAsync<HubException>(() => client.PullAsync(ModelReference.Parse(RepoId)));

        Assert.Equal(HubErrorKind.Network, error.Kind);
        Assert.Contains("could not reach 127.0.0.1", error.Message);
    }

    [Theory]
    [InlineData("../../evil.gguf")]
    [InlineData("/etc/evil.gguf")]
    [InlineData("a/../../evil.gguf")]
    [InlineData("a\\..\\..\\evil.gguf")]
    [InlineData("C:/evil.gguf")]
    public async Task Path_traversal_file_names_from_the_server_are_refused(string listed)
    {
        var file = Hub.AddRepo(RepoId).Add("tiny-Q4_0.gguf");
        file.ListedPath = listed;

        var error = await PullFailsAsync(RepoId);

        Assert.Equal(HubErrorKind.InvalidResponse, error.Kind);
        Assert.Contains("unsafe file name", error.Message);
        Assert.False(Directory.Exists(Path.Combine(RepoFolder(RepoId), "snapshots")));
        Assert.False(File.Exists(Path.Combine(CacheDirectory, "evil.gguf")));
    }

    [Fact]
    public async Task An_oversized_file_list_is_refused()
    {
        var repo = Hub.AddRepo(RepoId);
        repo.InfoOverride = "{\"sha\":\"" + repo.Commit + "\",\"siblings\":[" + string.Join(',', Enumerable.Repeat("{}", 2000)) + "]}";
        using var client = new HubClient(Options() with { MaxMetadataBytes = 1000 });

        var error = await Assert.ThrowsAsync<HubException>(() => client.PullAsync(ModelReference.Parse(RepoId)));

        Assert.Equal(HubErrorKind.InvalidResponse, error.Kind);
        Assert.Contains("larger than", error.Message);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"sha\":\"../../x\",\"siblings\":[]}")]
    [InlineData("{\"sha\":\"0123456789012345678901234567890123456789\",\"siblings\":[{\"rfilename\":\"a.gguf\",\"size\":1,\"lfs\":{\"sha256\":\"../x\"}}]}")]
    public async Task A_malformed_file_list_is_refused(string json)
    {
        Hub.AddRepo(RepoId).InfoOverride = json;

        var error = await PullFailsAsync(RepoId);

        Assert.Equal(HubErrorKind.InvalidResponse, error.Kind);
        Assert.Contains("malformed", error.Message);
    }

    [Fact]
    public async Task A_quant_the_repository_lacks_lists_the_choices()
    {
        var repo = Hub.AddRepo(RepoId);
        repo.Add("tiny-Q4_0.gguf", 1000);
        repo.Add("tiny-Q8_0.gguf", 1000);

        var error = await PullFailsAsync(RepoId + ":Q5_K_M");

        Assert.Equal(HubErrorKind.NoMatchingFile, error.Kind);
        Assert.Contains("tiny-Q4_0.gguf, tiny-Q8_0.gguf", error.Message);
    }
}
