using System.Runtime.CompilerServices;

namespace Wallfacer.Inference.Templates;

/// <summary>
/// Recursive-descent parser mirroring jinja2 3.1's <c>parser.py</c>: statements here, expressions in
/// <c>Parser.Expressions.cs</c>. Nesting of blocks and brackets is bounded by
/// <see cref="JinjaOptions.MaxRecursionDepth"/> so hostile templates cannot exhaust the stack.
/// </summary>
internal sealed partial class Parser
{
    private readonly SourceText _source;
    private readonly List<Token> _tokens;
    private readonly int _maxDepth;
    private int _index;
    private int _depth;
    private int _loopDepth;

    private Parser(SourceText source, List<Token> tokens, int maxDepth)
    {
        _source = source;
        _tokens = tokens;
        _maxDepth = maxDepth;
    }

    public static Stmt[] Parse(SourceText source, int maxDepth)
    {
        var parser = new Parser(source, Lexer.Tokenize(source), maxDepth);
        return parser.ParseBody([]);
    }

    private Token Current => _tokens[_index];

    private Token Peek => _tokens[Math.Min(_index + 1, _tokens.Count - 1)];

    private int Line => _source.LineOf(Current.Position);

    private Token Next() => _tokens[_index++];

    private TemplateSyntaxException Error(string message) => _source.Error(message, Current.Position);

    private void Expect(TokenKind kind, string what)
    {
        if (Current.Kind != kind)
            throw Error($"expected {what}, got '{Current.Describe()}'");
        _index++;
    }

    private void ExpectOperator(string op)
    {
        if (!Current.IsOperator(op))
            throw Error($"expected '{op}', got '{Current.Describe()}'");
        _index++;
    }

    private string ExpectName()
    {
        if (Current.Kind != TokenKind.Name)
            throw Error($"expected name, got '{Current.Describe()}'");
        return Next().Text;
    }

    private void ExpectBlockEnd() => Expect(TokenKind.BlockEnd, "end of statement block");

    private bool SkipName(string name)
    {
        if (!Current.IsName(name))
            return false;
        _index++;
        return true;
    }

    private bool SkipOperator(string op)
    {
        if (!Current.IsOperator(op))
            return false;
        _index++;
        return true;
    }

    private void Enter()
    {
        if (++_depth > _maxDepth)
            throw Error($"template nesting is deeper than the limit of {_maxDepth} (JinjaOptions.MaxRecursionDepth)");
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw Error("template nesting is too deep for the stack; lower JinjaOptions.MaxRecursionDepth");
    }

    private void Leave() => _depth--;

    /// <summary>Statements up to a block tag named in <paramref name="endTags"/>; stops on that tag's name.</summary>
    private Stmt[] ParseBody(string[] endTags)
    {
        Enter();
        var body = new List<Stmt>();
        while (true)
        {
            var token = Current;
            switch (token.Kind)
            {
                case TokenKind.Data:
                    body.Add(new TextStmt(Line, token.Text));
                    _index++;
                    break;
                case TokenKind.VariableBegin:
                    int line = Line;
                    _index++;
                    body.Add(new PrintStmt(line, ParseTuple()));
                    Expect(TokenKind.VariableEnd, "end of print statement");
                    break;
                case TokenKind.BlockBegin:
                    _index++;
                    if (Current.Kind == TokenKind.Name && endTags.Contains(Current.Text))
                    {
                        Leave();
                        return body.ToArray();
                    }
                    body.Add(ParseStatement());
                    break;
                default:
                    if (endTags.Length > 0)
                        throw Error("Unexpected end of template. Jinja was looking for the following tags: " + string.Join(" or ", endTags.Select(t => $"'{t}'")) + ".");
                    Leave();
                    return body.ToArray();
            }
        }
    }

    /// <summary>Parses a body and consumes its closing <c>{% end... %}</c>.</summary>
    private Stmt[] ParseBodyUntil(string endTag)
    {
        var body = ParseBody([endTag]);
        _index++;
        ExpectBlockEnd();
        return body;
    }

    private Stmt ParseStatement()
    {
        int line = Line;
        if (Current.Kind != TokenKind.Name)
            throw Error("tag name expected");
        string tag = Next().Text;
        switch (tag)
        {
            case "if": return ParseIf(line);
            case "for": return ParseFor(line);
            case "set": return ParseSet(line);
            case "macro": return ParseMacro(line);
            case "call": return ParseCallBlock(line);
            case "filter": return ParseFilterBlock(line);
            case "with": return ParseWith(line);
            case "generation":
                ExpectBlockEnd();
                return new BlockStmt(line, ParseBodyUntil("endgeneration"));
            case "break" or "continue":
                if (_loopDepth == 0)
                    throw _source.Error($"'{tag}' outside of a loop", _tokens[_index - 1].Position);
                ExpectBlockEnd();
                return tag == "break" ? new BreakStmt(line) : new ContinueStmt(line);
            default:
                _index--;
                throw Error($"Encountered unknown tag '{tag}'.");
        }
    }

    private IfStmt ParseIf(int line)
    {
        var branches = new List<(Expr, Stmt[])>();
        var test = ParseTuple(withCondition: false);
        ExpectBlockEnd();
        while (true)
        {
            var body = ParseBody(["elif", "else", "endif"]);
            branches.Add((test, body));
            string tag = Next().Text;
            if (tag == "elif")
            {
                test = ParseTuple(withCondition: false);
                ExpectBlockEnd();
                continue;
            }
            ExpectBlockEnd();
            var otherwise = tag == "else" ? ParseBodyUntil("endif") : [];
            return new IfStmt(line, branches.ToArray(), otherwise);
        }
    }

    private ForStmt ParseFor(int line)
    {
        var target = ParseAssignTarget(extraEnd: "in");
        if (!SkipName("in"))
            throw Error($"expected 'in', got '{Current.Describe()}'");
        var iterable = ParseTuple(withCondition: false, extraEnd: "recursive");
        Expr? filter = SkipName("if") ? ParseExpression() : null;
        bool recursive = SkipName("recursive");
        ExpectBlockEnd();
        _loopDepth++;
        var body = ParseBody(["endfor", "else"]);
        _loopDepth--;
        Stmt[] otherwise = [];
        if (Next().Text == "else")
        {
            ExpectBlockEnd();
            otherwise = ParseBodyUntil("endfor");
        }
        else
        {
            ExpectBlockEnd();
        }
        return new ForStmt(line, target, iterable, filter, body, otherwise, recursive);
    }

    private Stmt ParseSet(int line)
    {
        var target = ParseAssignTarget(withNamespace: true);
        if (SkipOperator("="))
        {
            var value = ParseTuple();
            ExpectBlockEnd();
            return new SetStmt(line, target, value);
        }
        var filter = Current.IsOperator("|") ? ParseFilters(null, startInline: false) as FilterExpr : null;
        ExpectBlockEnd();
        return new SetBlockStmt(line, target, filter, ParseBodyUntil("endset"));
    }

    private MacroStmt ParseMacro(int line)
    {
        string name = ExpectName();
        var (parameters, defaults) = ParseSignature();
        ExpectBlockEnd();
        return new MacroStmt(line, new MacroSignature(name, parameters, defaults, ParseMacroBody("endmacro")));
    }

    private CallBlockStmt ParseCallBlock(int line)
    {
        var (parameters, defaults) = Current.IsOperator("(") ? ParseSignature() : ([], []);
        if (ParseExpression() is not CallExpr call)
            throw Error("expected call");
        ExpectBlockEnd();
        return new CallBlockStmt(line, call, new MacroSignature("caller", parameters, defaults, ParseMacroBody("endcall")));
    }

    /// <summary>A macro body is a new function: <c>break</c>/<c>continue</c> cannot reach an outer loop.</summary>
    private Stmt[] ParseMacroBody(string endTag)
    {
        int saved = _loopDepth;
        _loopDepth = 0;
        var body = ParseBodyUntil(endTag);
        _loopDepth = saved;
        return body;
    }

    private (string[] Parameters, Expr?[] Defaults) ParseSignature()
    {
        var parameters = new List<string>();
        var defaults = new List<Expr?>();
        ExpectOperator("(");
        while (!Current.IsOperator(")"))
        {
            if (parameters.Count > 0)
                ExpectOperator(",");
            parameters.Add(ExpectName());
            if (SkipOperator("="))
                defaults.Add(ParseExpression());
            else if (defaults.Any(d => d != null))
                throw Error("non-default argument follows default argument");
            else
                defaults.Add(null);
        }
        ExpectOperator(")");
        return (parameters.ToArray(), defaults.ToArray());
    }

    private FilterBlockStmt ParseFilterBlock(int line)
    {
        var filter = (FilterExpr)ParseFilters(null, startInline: true);
        ExpectBlockEnd();
        return new FilterBlockStmt(line, filter, ParseBodyUntil("endfilter"));
    }

    private WithStmt ParseWith(int line)
    {
        var assignments = new List<(Expr, Expr)>();
        while (Current.Kind != TokenKind.BlockEnd)
        {
            if (assignments.Count > 0)
                ExpectOperator(",");
            var target = ParseAssignTarget();
            ExpectOperator("=");
            assignments.Add((target, ParseExpression()));
        }
        ExpectBlockEnd();
        return new WithStmt(line, assignments.ToArray(), ParseBodyUntil("endwith"));
    }

    /// <summary>A name, a tuple of names, or (for <c>set</c>) a namespace attribute <c>ns.attr</c>.</summary>
    private Expr ParseAssignTarget(string? extraEnd = null, bool withNamespace = false)
    {
        int line = Line;
        if (withNamespace && Current.Kind == TokenKind.Name && Peek.IsOperator("."))
        {
            string ns = Next().Text;
            _index++;
            return new GetAttrExpr(line, new NameExpr(line, ns), ExpectName());
        }
        var target = ParseTuple(simplified: true, extraEnd: extraEnd);
        CheckAssignable(target);
        return target;
    }

    private void CheckAssignable(Expr target)
    {
        switch (target)
        {
            case NameExpr n when n.Name is not ("true" or "false" or "none" or "True" or "False" or "None"):
                return;
            case ListExpr { IsTuple: true } tuple:
                foreach (var item in tuple.Items)
                    CheckAssignable(item);
                return;
            default:
                throw _source.Error($"can't assign to '{target.GetType().Name.Replace("Expr", "")}'", _tokens[Math.Max(0, _index - 1)].Position);
        }
    }
}
