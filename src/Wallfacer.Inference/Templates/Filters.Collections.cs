namespace Wallfacer.Inference.Templates;

/// <summary>Sequence and mapping filters: <c>join</c>, <c>map</c>, <c>select*</c>/<c>reject*</c>,
/// <c>sort</c>, <c>unique</c>, <c>dictsort</c>, <c>items</c>, <c>first</c>/<c>last</c>, ...</summary>
internal static partial class Filters
{
    private static PyList Items(object? value) => value switch
    {
        Undefined => new PyList([]),
        PyDict dict => Methods.Items(dict),
        _ => throw TemplateRenderException.Type("Can only get item pairs from a mapping."),
    };

    private static object? First(object? value)
    {
        var items = PyOps.Iterate(value);
        return items.Count > 0 ? items[0] : Undefined.WithHint("No first item, sequence was empty.");
    }

    private static object? Last(object? value)
    {
        var items = PyOps.Iterate(value);
        return items.Count > 0 ? items[^1] : Undefined.WithHint("No last item, sequence was empty.");
    }

    /// <summary><c>join(d='', attribute=None)</c>: every item goes through <c>str()</c> (unlike <c>str.join</c>).</summary>
    private static string Join(object? value, Arguments args)
    {
        string separator = PythonFormatting.Str(args.Get(0, "d", ""));
        var items = PyOps.Iterate(value);
        var getter = AttributeGetter(args.Get(1, "attribute"));
        return string.Join(separator, items.Select(item => PythonFormatting.Str(getter(item))));
    }

    private static object Reverse(object? value)
    {
        if (value is string s)
            return string.Concat(PyOps.Characters(s).Cast<string>().Reverse());
        var items = new List<object?>(PyOps.Iterate(value));
        items.Reverse();
        return new PyList(items);
    }

    /// <summary><c>map(attribute='x', default=...)</c> or <c>map('filter', args...)</c>.</summary>
    private static PyList Map(Interpreter interpreter, object? value, Arguments args)
    {
        var items = PyTruthyItems(value);
        Func<object?, object?> func;
        if (args.Positional.Count == 0 && args.TryGet(-1, "attribute", out var attribute))
        {
            func = AttributeGetter(attribute, args.Get(-1, "default"));
        }
        else
        {
            string name = args.Positional.Count > 0 && args.Positional[0] is string n ? n : throw TemplateRenderException.Type("map requires a filter argument");
            var rest = args.Skip(1);
            func = item => Apply(interpreter, name, item, rest);
        }
        return new PyList(items.Select(func).ToList());
    }

    /// <summary><c>select/reject('test', args)</c> and <c>selectattr/rejectattr('attr', 'test', args)</c>;
    /// with no test name, the item's truthiness decides.</summary>
    private static PyList Select(object? value, Arguments args, bool keep, bool byAttribute)
    {
        var items = PyTruthyItems(value);
        int offset = 0;
        Func<object?, object?> transform = x => x;
        if (byAttribute)
        {
            transform = AttributeGetter(args.Positional.Count > 0 ? args.Positional[0] : throw TemplateRenderException.Type("Missing parameter for attribute name"));
            offset = 1;
        }
        Func<object?, bool> test = PyOps.Truthy;
        if (args.Positional.Count > offset)
        {
            string name = args.Positional[offset] as string ?? throw TemplateRenderException.Type("test name must be a string");
            var rest = new Arguments(args.Positional.Skip(offset + 1).ToList(), args.Named);
            test = item => JinjaTests.Apply(name, item, rest);
        }
        return new PyList(items.Where(item => test(transform(item)) == keep).ToList());
    }

    /// <summary>jinja's <c>if value:</c> guard in map/select: a falsy input yields nothing.</summary>
    private static List<object?> PyTruthyItems(object? value) => PyOps.Truthy(value) ? PyOps.Iterate(value) : [];

    /// <summary>jinja's <c>make_attrgetter</c>: <c>"a.b.0"</c> walks items/attributes (integers for digit parts).</summary>
    private static Func<object?, object?> AttributeGetter(object? attribute, object? fallback = null)
    {
        if (attribute == null)
            return x => x;
        object?[] parts = attribute is string path
            ? path.Split('.').Select(p => long.TryParse(p, out long n) ? (object?)n : p).ToArray()
            : [attribute];
        return item =>
        {
            foreach (var part in parts)
            {
                item = Attributes.GetItem(item, part);
                if (fallback != null && item is Undefined)
                    item = fallback;
            }
            return item;
        };
    }

    private static Func<object?, object?> SortKey(Arguments args, int attributeIndex, int caseIndex)
    {
        var getter = AttributeGetter(args.Get(attributeIndex, "attribute"));
        bool caseSensitive = PyOps.Truthy(args.Get(caseIndex, "case_sensitive", false));
        return caseSensitive ? getter : item => getter(item) is string s ? s.ToLowerInvariant() : getter(item);
    }

    private static PyList Sort(object? value, Arguments args)
    {
        bool reverse = PyOps.Truthy(args.Get(0, "reverse", false));
        var key = SortKey(args, attributeIndex: 2, caseIndex: 1);
        return new PyList(StableSort(PyOps.Iterate(value), key, reverse));
    }

    /// <summary>Python's <c>sorted</c>: stable, and <c>reverse</c> keeps equal items in original order.</summary>
    private static List<object?> StableSort(List<object?> items, Func<object?, object?> key, bool reverse)
    {
        var keyed = items.Select((item, index) => (Item: item, Key: key(item), Index: index)).ToList();
        keyed.Sort((a, b) =>
        {
            int c = PyOps.Equal(a.Key, b.Key) ? 0 : PyOps.Compare(a.Key, b.Key, "<");
            if (reverse)
                c = -c;
            return c != 0 ? c : a.Index.CompareTo(b.Index);
        });
        return keyed.Select(k => k.Item).ToList();
    }

    private static PyList DictSort(object? value, Arguments args)
    {
        if (value is not PyDict dict)
            throw TemplateRenderException.Type("dictsort filter requires a mapping");
        bool caseSensitive = PyOps.Truthy(args.Get(0, "case_sensitive", false));
        int position = (args.Get(1, "by", "key") as string) switch
        {
            "key" => 0,
            "value" => 1,
            _ => throw TemplateRenderException.Type("You can only sort by either \"key\" or \"value\""),
        };
        bool reverse = PyOps.Truthy(args.Get(2, "reverse", false));
        Func<object?, object?> key = pair =>
        {
            var part = ((PyList)pair!)[position];
            return !caseSensitive && part is string s ? s.ToLowerInvariant() : part;
        };
        return new PyList(StableSort(Methods.Items(dict).Items, key, reverse));
    }

    private static PyList Unique(object? value, Arguments args)
    {
        var key = SortKey(args, attributeIndex: 1, caseIndex: 0);
        var seen = new PyDict();
        var result = new List<object?>();
        foreach (var item in PyOps.Iterate(value))
        {
            var k = key(item);
            if (seen.ContainsKey(k))
                continue;
            seen.Set(k, null);
            result.Add(item);
        }
        return new PyList(result);
    }

    private static object? MinMax(object? value, Arguments args, bool max)
    {
        var items = PyOps.Iterate(value);
        if (items.Count == 0)
            return Undefined.WithHint("No aggregated item, sequence was empty.");
        var key = SortKey(args, attributeIndex: 1, caseIndex: 0);
        var best = items[0];
        foreach (var item in items.Skip(1))
        {
            int c = PyOps.Compare(key(item), key(best), max ? ">" : "<");
            if (max ? c > 0 : c < 0)
                best = item;
        }
        return best;
    }

    private static object? Sum(object? value, Arguments args)
    {
        var getter = AttributeGetter(args.Get(0, "attribute"));
        object? total = args.Get(1, "start", 0L);
        foreach (var item in PyOps.Iterate(value))
            total = PyOps.Binary(BinaryOp.Add, total, getter(item), int.MaxValue);
        return total;
    }

    private static PyList Batch(object? value, Arguments args)
    {
        long size = PyOps.TryInteger(args.Required(0, "linecount", "batch"), out long n) && n > 0 ? n : throw TemplateRenderException.Type("batch size must be a positive integer");
        bool fill = args.TryGet(1, "fill_with", out var filler) && filler != null;
        var batches = new List<object?>();
        foreach (var chunk in PyOps.Iterate(value).Chunk((int)Math.Min(size, int.MaxValue)))
        {
            var items = chunk.ToList();
            while (fill && items.Count < size)
                items.Add(filler);
            batches.Add(new PyList(items));
        }
        return new PyList(batches);
    }

    private static PyList SliceInto(object? value, Arguments args)
    {
        var seq = PyOps.Iterate(value);
        long slices = PyOps.TryInteger(args.Required(0, "slices", "slice"), out long s) && s > 0 ? s : throw TemplateRenderException.Type("slice count must be a positive integer");
        bool fill = args.TryGet(1, "fill_with", out var filler) && filler != null;
        int perSlice = (int)(seq.Count / slices);
        int withExtra = (int)(seq.Count % slices);
        int offset = 0;
        var result = new List<object?>();
        for (int number = 0; number < slices; number++)
        {
            int start = offset + number * perSlice;
            if (number < withExtra)
                offset++;
            int end = offset + (number + 1) * perSlice;
            var part = seq.GetRange(start, end - start);
            if (fill && number >= withExtra)
                part.Add(filler);
            result.Add(new PyList(part));
        }
        return new PyList(result);
    }

    /// <summary><c>groupby(attribute)</c>: sorted groups as <c>(grouper, list)</c> tuples.</summary>
    private static PyList GroupBy(object? value, Arguments args)
    {
        var getter = AttributeGetter(args.Required(0, "attribute", "groupby"), args.Get(1, "default"));
        var sorted = StableSort(PyOps.Iterate(value), getter, reverse: false);
        var groups = new List<object?>();
        foreach (var item in sorted)
        {
            var key = getter(item);
            if (groups.Count > 0 && groups[^1] is PyList last && PyOps.Equal(last[0], key))
                ((PyList)last[1]!).Items.Add(item);
            else
                groups.Add(PyList.Tuple(key, new PyList([item])));
        }
        return new PyList(groups);
    }
}
