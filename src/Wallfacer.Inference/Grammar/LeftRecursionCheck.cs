namespace Wallfacer.Inference.Grammar;

/// <summary>
/// Refuses left recursion (a rule that can reach itself before consuming a character), which a stack-based
/// matcher like llama.cpp's would expand forever. Works through empty-able prefixes.
/// </summary>
internal static class LeftRecursionCheck
{
    public static void Verify(GbnfGrammar grammar)
    {
        var nullable = Nullable(grammar);
        var state = new int[grammar.Rules.Count]; // 0 unvisited, 1 on the path, 2 done
        for (int r = 0; r < grammar.Rules.Count; r++)
            Visit(grammar, nullable, state, r, []);
    }

    private static bool[] Nullable(GbnfGrammar grammar)
    {
        var nullable = new bool[grammar.Rules.Count];
        for (bool changed = true; changed;)
        {
            changed = false;
            for (int r = 0; r < grammar.Rules.Count; r++)
            {
                if (nullable[r])
                    continue;
                if (grammar.Rules[r].Any(alt => alt.All(e => e is RuleRef rr && nullable[rr.Rule])))
                    nullable[r] = changed = true;
            }
        }
        return nullable;
    }

    private static void Visit(GbnfGrammar grammar, bool[] nullable, int[] state, int rule, List<int> path)
    {
        if (state[rule] == 2)
            return;
        if (state[rule] == 1)
        {
            var cycle = path.SkipWhile(r => r != rule).Append(rule).Select(r => grammar.Names[r]);
            throw new GrammarException($"The grammar is left-recursive: {string.Join(" → ", cycle)}. Rewrite it with repetition (x*).");
        }
        state[rule] = 1;
        path.Add(rule);
        foreach (var alternative in grammar.Rules[rule])
        {
            foreach (var element in alternative)
            {
                if (element is not RuleRef next)
                    break;
                Visit(grammar, nullable, state, next.Rule, path);
                if (!nullable[next.Rule])
                    break;
            }
        }
        path.RemoveAt(path.Count - 1);
        state[rule] = 2;
    }
}
