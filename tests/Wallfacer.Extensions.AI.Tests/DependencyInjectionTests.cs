using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Wallfacer.Inference.Engine;

namespace Wallfacer.Extensions.AI.Tests;

public class DependencyInjectionTests(ChatModelFixture fixture) : IClassFixture<ChatModelFixture>
{
    [Fact]
    public async Task Options_bind_from_configuration_and_the_client_and_embedder_share_one_model()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Wallfacer:ModelPath"] = fixture.Path,
            ["Wallfacer:ContextLength"] = "200",
            ["Wallfacer:Threads"] = "1",
            ["Wallfacer:ModelId"] = "tiny-test",
        }).Build();
        var services = new ServiceCollection();
        services.AddWallfacerChatClient(configuration.GetSection("Wallfacer"));
        services.AddWallfacerEmbeddingGenerator();
        await using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<IChatClient>();
        Assert.Equal("tiny-test", client.GetService<ChatClientMetadata>()!.DefaultModelId);
        var response = await client.GetResponseAsync("hello", new ChatOptions { Temperature = 0, MaxOutputTokens = 2 });
        Assert.True(response.Usage!.OutputTokenCount >= 1);
        using var session = client.GetService<LanguageModel>()!.CreateSession();
        Assert.Equal(1024, session.ContextLength); // a plain session uses the file's context; the client's are 200

        var embedder = provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        Assert.Same(client.GetService<LanguageModel>(), embedder.GetService<LanguageModel>());
        Assert.Single(await embedder.GenerateAsync(["x"]));
    }

    [Fact]
    public void A_missing_model_path_is_a_clear_error()
    {
        var services = new ServiceCollection();
        services.AddWallfacerChatClient(_ => { });
        using var provider = services.BuildServiceProvider();
        var ex = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IChatClient>());
        Assert.Contains("ModelPath", ex.Message);
    }
}

public class CollaborationInjectionTests(ChatModelFixture fixture) : IClassFixture<ChatModelFixture>
{
    [Fact]
    public async Task The_collaborative_client_binds_its_policies_and_endpoint_from_configuration()
    {
        using var cloud = new Remote.FakeOpenAiServer();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Wallfacer:ModelPath"] = fixture.Path,
            ["Wallfacer:ContextLength"] = "256",
            ["Wallfacer:Threads"] = "1",
            ["Collab:Remote:Endpoint"] = cloud.Endpoint.ToString(),
            ["Collab:Remote:Model"] = "big",
            ["Collab:Policy:MinMeanLogprob"] = "0.5", // nothing local is that sure: always escalate
        }).Build();
        var services = new ServiceCollection();
        services.AddWallfacerChatClient(configuration.GetSection("Wallfacer"));
        services.AddWallfacerCollaboration(configuration.GetSection("Collab"));
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IChatClient>();
        Assert.IsType<Wallfacer.Extensions.AI.Collaboration.CollaborativeChatClient>(client);
        var response = await client.GetResponseAsync("hi", new ChatOptions { Temperature = 0, MaxOutputTokens = 3 });
        Assert.Equal(cloud.Answer, response.Text);
        Assert.Equal("big", (string?)System.Text.Json.Nodes.JsonNode.Parse(cloud.Requests.Single())!["model"]);
    }
}
