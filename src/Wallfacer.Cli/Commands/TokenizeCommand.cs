using System.CommandLine;
using System.Text;
using System.Text.Json;
using Wallfacer.Gguf;
using Wallfacer.Tokenizers;

namespace Wallfacer.Cli.Commands;

/// <summary><c>wallfacer tokenize -m MODEL TEXT [--json]</c>: token ids and their pieces.</summary>
internal static class TokenizeCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var text = new Argument<string>("text") { Description = "Text to tokenize." };
        var json = CommonOptions.Json();
        var noSpecial = new Option<bool>("--no-special") { Description = "Do not add BOS/EOS and treat special-token text as plain text." };
        var command = new Command("tokenize", "Show the token ids and pieces a model's tokenizer makes of a text.")
        {
            model, text, json, noSpecial,
        };
        CommandRunner.SetAction(command, (parse, _) =>
        {
            using var file = GgufFile.Open(ModelLocator.Resolve(parse.GetValue(model)!));
            var tokenizer = TokenizerFactory.FromGguf(file.Metadata);
            bool special = !parse.GetValue(noSpecial);
            var ids = tokenizer.Encode(parse.GetValue(text)!, addSpecial: special, parseSpecial: special);
            var pieces = ids.Select(id => Piece(tokenizer, id)).ToArray();
            if (parse.GetValue(json))
            {
                var rows = ids.Select((id, i) => new { id, piece = pieces[i] });
                Console.WriteLine(JsonSerializer.Serialize(new { count = ids.Length, tokens = rows }, JsonOptions.Indented));
            }
            else
            {
                for (int i = 0; i < ids.Length; i++)
                    Console.WriteLine($"{ids[i],8} {Quote(pieces[i])}");
                Console.WriteLine($"{ids.Length} tokens");
            }
            return 0;
        });
        return command;
    }

    /// <summary>The token's bytes as text; bytes that are not whole UTF-8 are shown as &lt;0xNN&gt;.</summary>
    private static string Piece(ITokenizer tokenizer, int id)
    {
        var bytes = tokenizer.TokenBytes(id, renderSpecial: true);
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return string.Concat(bytes.Select(b => $"<0x{b:X2}>"));
        }
    }

    private static string Quote(string piece) =>
        "'" + piece.Replace("\n", "\\n").Replace("\t", "\\t").Replace("\r", "\\r") + "'";
}
