namespace Wallfacer.Inference.Templates;

/// <summary>Call arguments, filter chains and <c>is</c> tests (jinja2's <c>parse_call_args</c>,
/// <c>parse_filter</c>, <c>parse_test</c>).</summary>
internal sealed partial class Parser
{
    private ArgumentList ParseCallArguments()
    {
        Enter();
        ExpectOperator("(");
        var positional = new List<Expr>();
        var named = new List<(string, Expr)>();
        Expr? starArgs = null, starKwargs = null;
        while (!Current.IsOperator(")"))
        {
            if (positional.Count + named.Count > 0 || starArgs != null || starKwargs != null)
            {
                ExpectOperator(",");
                if (Current.IsOperator(")"))
                    break;
            }
            if (SkipOperator("*"))
                starArgs = ParseExpression();
            else if (SkipOperator("**"))
                starKwargs = ParseExpression();
            else if (Current.Kind == TokenKind.Name && Peek.IsOperator("="))
            {
                string key = Next().Text;
                _index++;
                named.Add((key, ParseExpression()));
            }
            else if (named.Count > 0 || starArgs != null || starKwargs != null)
                throw Error("positional argument follows keyword argument");
            else
                positional.Add(ParseExpression());
        }
        ExpectOperator(")");
        Leave();
        return new ArgumentList(positional.ToArray(), named.ToArray(), starArgs, starKwargs);
    }

    /// <summary><c>| name(args) | name2 ...</c>; <paramref name="startInline"/> when the first <c>|</c> is implied.</summary>
    private Expr ParseFilters(Expr? node, bool startInline)
    {
        while (Current.IsOperator("|") || startInline)
        {
            if (!startInline)
                _index++;
            startInline = false;
            int line = Line;
            string name = ParseDottedName();
            var args = Current.IsOperator("(") ? ParseCallArguments() : ArgumentList.Empty;
            node = new FilterExpr(line, node, name, args);
        }
        return node!;
    }

    private string ParseDottedName()
    {
        string name = ExpectName();
        while (SkipOperator("."))
            name += "." + ExpectName();
        return name;
    }

    private Expr ParseTest(Expr node)
    {
        int line = Line;
        _index++; // is
        bool negated = SkipName("not");
        string name = ParseDottedName();
        ArgumentList args = ArgumentList.Empty;
        if (Current.IsOperator("("))
        {
            args = ParseCallArguments();
        }
        else if (StartsTestArgument())
        {
            if (Current.IsName("is"))
                throw Error("You cannot chain multiple tests with is");
            var arg = ParsePostfix(ParsePrimary());
            args = new ArgumentList([arg], [], null, null);
        }
        Expr test = new TestExpr(line, node, name, args);
        return negated ? new NotExpr(line, test) : test;
    }

    private bool StartsTestArgument()
    {
        var t = Current;
        if (t.Kind == TokenKind.Name)
            return t.Text is not ("else" or "or" or "and");
        return t.Kind is TokenKind.String or TokenKind.Integer or TokenKind.Float || t.IsOperator("[") || t.IsOperator("{");
    }
}
