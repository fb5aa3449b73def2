using System.Text;
using Wallfacer.Inference.Templates;
using Wallfacer.TestSupport;

namespace Wallfacer.Inference.Tests.Templates;

/// <summary>Every manifest case renders byte for byte as Python jinja2 did, or fails as it did.</summary>
public class ChatTemplateCorpusTests
{
    public static TheoryData<string> CaseIds => new(ChatTemplateCorpus.CaseIds);

    [SharedTheory]
    [MemberData(nameof(CaseIds))]
    public void Renders_like_python_jinja2(string caseId)
    {
        var testCase = ChatTemplateCorpus.Case(caseId);
        var template = ChatTemplateCorpus.Template(testCase);
        var variables = ChatTemplateCorpus.Variables(testCase);
        string expectedPath = ChatTemplateCorpus.PathOf(testCase, "expected");
        if ((string)testCase["outcome"]! == "ok")
        {
            string actual = template.Render(variables);
            byte[] expected = File.ReadAllBytes(expectedPath);
            Assert.Equal(Encoding.UTF8.GetString(expected), actual);
            Assert.Equal(expected, Encoding.UTF8.GetBytes(actual));
            return;
        }
        var error = Assert.ThrowsAny<TemplateException>(() => template.Render(variables));
        if ((string?)testCase["error_type"] == "raise_exception")
        {
            Assert.Equal(File.ReadAllText(expectedPath), error.Message);
            Assert.Equal(TemplateErrorKind.RaisedByTemplate, Assert.IsType<TemplateRenderException>(error).Kind);
        }
    }
}
