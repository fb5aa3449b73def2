namespace Wallfacer.Inference.Templates;

/// <summary>Expressions, by precedence from loosest to tightest, as jinja2's <c>parse_*</c> methods.</summary>
internal sealed partial class Parser
{
    private static readonly Dictionary<string, string> CompareOperators = new()
    {
        ["=="] = "eq", ["!="] = "ne", ["<"] = "lt", ["<="] = "le", [">"] = "gt", [">="] = "ge",
    };

    /// <summary>jinja's <c>parse_tuple</c>: one expression, or a bare tuple when commas follow.</summary>
    private Expr ParseTuple(bool simplified = false, bool withCondition = true, string? extraEnd = null, bool explicitParentheses = false)
    {
        int line = Line;
        var items = new List<Expr>();
        bool isTuple = false;
        while (true)
        {
            if (items.Count > 0)
                ExpectOperator(",");
            if (IsTupleEnd(extraEnd))
                break;
            items.Add(simplified ? ParsePrimary() : ParseExpression(withCondition));
            if (!Current.IsOperator(","))
                break;
            isTuple = true;
        }
        if (!isTuple)
        {
            if (items.Count > 0)
                return items[0];
            if (!explicitParentheses)
                throw Error($"Expected an expression, got '{Current.Describe()}'");
        }
        return new ListExpr(line, items.ToArray(), isTuple: true);
    }

    private bool IsTupleEnd(string? extraEnd) =>
        Current.Kind is TokenKind.VariableEnd or TokenKind.BlockEnd or TokenKind.End
        || Current.IsOperator(")")
        || (extraEnd != null && Current.IsName(extraEnd));

    private Expr ParseExpression(bool withCondition = true)
    {
        Enter();
        var expr = withCondition ? ParseConditional() : ParseOr();
        Leave();
        return expr;
    }

    private Expr ParseConditional()
    {
        int line = Line;
        var expr = ParseOr();
        while (SkipName("if"))
        {
            var test = ParseOr();
            Expr? otherwise = SkipName("else") ? ParseConditional() : null;
            expr = new ConditionalExpr(line, test, expr, otherwise);
        }
        return expr;
    }

    private Expr ParseOr()
    {
        int line = Line;
        var left = ParseAnd();
        while (SkipName("or"))
            left = new LogicalExpr(line, isAnd: false, left, ParseAnd());
        return left;
    }

    private Expr ParseAnd()
    {
        int line = Line;
        var left = ParseNot();
        while (SkipName("and"))
            left = new LogicalExpr(line, isAnd: true, left, ParseNot());
        return left;
    }

    private Expr ParseNot()
    {
        int line = Line;
        if (SkipName("not"))
            return new NotExpr(line, ParseNot());
        return ParseCompare();
    }

    private Expr ParseCompare()
    {
        int line = Line;
        var first = ParseMath1();
        var rest = new List<(string, Expr)>();
        while (true)
        {
            if (Current.Kind == TokenKind.Operator && CompareOperators.TryGetValue(Current.Text, out var op))
            {
                _index++;
                rest.Add((op, ParseMath1()));
            }
            else if (SkipName("in"))
            {
                rest.Add(("in", ParseMath1()));
            }
            else if (Current.IsName("not") && Peek.IsName("in"))
            {
                _index += 2;
                rest.Add(("notin", ParseMath1()));
            }
            else
            {
                break;
            }
        }
        return rest.Count == 0 ? first : new CompareExpr(line, first, rest.ToArray());
    }

    private Expr ParseMath1()
    {
        int line = Line;
        var left = ParseConcat();
        while (Current.IsOperator("+") || Current.IsOperator("-"))
        {
            var op = Next().Text == "+" ? BinaryOp.Add : BinaryOp.Subtract;
            left = new BinaryExpr(line, op, left, ParseConcat());
        }
        return left;
    }

    private Expr ParseConcat()
    {
        int line = Line;
        var left = ParseMath2();
        while (SkipOperator("~"))
            left = new BinaryExpr(line, BinaryOp.Concat, left, ParseMath2());
        return left;
    }

    private Expr ParseMath2()
    {
        int line = Line;
        var left = ParsePow();
        while (Current.Kind == TokenKind.Operator && Current.Text is "*" or "/" or "//" or "%")
        {
            var op = Next().Text switch
            {
                "*" => BinaryOp.Multiply,
                "/" => BinaryOp.Divide,
                "//" => BinaryOp.FloorDivide,
                _ => BinaryOp.Modulo,
            };
            left = new BinaryExpr(line, op, left, ParsePow());
        }
        return left;
    }

    /// <summary>jinja makes <c>**</c> left-associative (unlike Python).</summary>
    private Expr ParsePow()
    {
        int line = Line;
        var left = ParseUnary();
        while (SkipOperator("**"))
            left = new BinaryExpr(line, BinaryOp.Power, left, ParseUnary());
        return left;
    }

    private Expr ParseUnary(bool withFilter = true)
    {
        int line = Line;
        Expr node;
        if (SkipOperator("-"))
            node = new NegateExpr(line, ParseUnary(withFilter: false), isMinus: true);
        else if (SkipOperator("+"))
            node = new NegateExpr(line, ParseUnary(withFilter: false), isMinus: false);
        else
            node = ParsePrimary();
        node = ParsePostfix(node);
        return withFilter ? ParseFilterExpression(node) : node;
    }

    private Expr ParsePrimary()
    {
        int line = Line;
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.Name:
                _index++;
                return token.Text switch
                {
                    "true" or "True" => new ConstExpr(line, true),
                    "false" or "False" => new ConstExpr(line, false),
                    "none" or "None" => new ConstExpr(line, null),
                    _ => new NameExpr(line, token.Text),
                };
            case TokenKind.String:
                string text = (string)Next().Value!;
                while (Current.Kind == TokenKind.String)
                    text += (string)Next().Value!;
                return new ConstExpr(line, text);
            case TokenKind.Integer or TokenKind.Float:
                return new ConstExpr(line, Next().Value);
        }
        if (token.IsOperator("("))
            return Bracketed(() => ParseTuple(explicitParentheses: true), ")");
        if (token.IsOperator("["))
            return Bracketed(() => new ListExpr(line, ParseItems("]", ParseExpression).ToArray(), isTuple: false), "]");
        if (token.IsOperator("{"))
            return Bracketed(() => new DictExpr(line, ParseItems("}", ParseDictPair).ToArray()), "}");
        throw Error($"unexpected '{token.Describe()}'");
    }

    private Expr Bracketed(Func<Expr> inner, string close)
    {
        Enter();
        _index++;
        var expr = inner();
        ExpectOperator(close);
        Leave();
        return expr;
    }

    /// <summary>Comma-separated items up to <paramref name="close"/>, a trailing comma allowed.</summary>
    private List<T> ParseItems<T>(string close, Func<T> item)
    {
        var items = new List<T>();
        while (!Current.IsOperator(close))
        {
            if (items.Count > 0)
                ExpectOperator(",");
            if (Current.IsOperator(close))
                break;
            items.Add(item());
        }
        return items;
    }

    private (Expr, Expr) ParseDictPair()
    {
        var key = ParseExpression();
        ExpectOperator(":");
        return (key, ParseExpression());
    }

    private Expr ParseExpression() => ParseExpression(withCondition: true);

    private Expr ParsePostfix(Expr node)
    {
        while (true)
        {
            if (Current.IsOperator(".") || Current.IsOperator("["))
                node = ParseSubscript(node);
            else if (Current.IsOperator("("))
                node = new CallExpr(node.Line, node, ParseCallArguments());
            else
                return node;
        }
    }

    private Expr ParseFilterExpression(Expr node)
    {
        while (true)
        {
            if (Current.IsOperator("|"))
                node = ParseFilters(node, startInline: false);
            else if (Current.IsName("is"))
                node = ParseTest(node);
            else if (Current.IsOperator("("))
                node = new CallExpr(node.Line, node, ParseCallArguments());
            else
                return node;
        }
    }

    private Expr ParseSubscript(Expr node)
    {
        int line = Line;
        if (SkipOperator("."))
        {
            var token = Next();
            if (token.Kind == TokenKind.Name)
                return new GetAttrExpr(line, node, token.Text);
            if (token.Kind == TokenKind.Integer)
                return new GetItemExpr(line, node, new ConstExpr(line, token.Value));
            _index--;
            throw Error("expected name or number");
        }
        Enter();
        _index++;
        var args = ParseItems("]", ParseSubscribed);
        ExpectOperator("]");
        Leave();
        if (args.Count == 0)
            throw Error("expected subscript expression");
        var index = args.Count == 1 ? args[0] : new ListExpr(line, args.ToArray(), isTuple: true);
        return new GetItemExpr(line, node, index);
    }

    /// <summary>An index or a slice <c>start:stop:step</c> with any part omitted.</summary>
    private Expr ParseSubscribed()
    {
        int line = Line;
        Expr? start = null;
        if (!Current.IsOperator(":"))
        {
            start = ParseExpression();
            if (!Current.IsOperator(":"))
                return start;
        }
        _index++;
        Expr? stop = IsSliceEnd() ? null : ParseExpression();
        Expr? step = null;
        if (SkipOperator(":"))
            step = IsSliceEnd() ? null : ParseExpression();
        return new SliceExpr(line, start, stop, step);
    }

    private bool IsSliceEnd() => Current.IsOperator("]") || Current.IsOperator(",") || Current.IsOperator(":");
}
