using System.Collections.Concurrent;

namespace Skein.Store.EventLog;

/// <summary>
/// One projection table's columns, each with how its value is read from the folded state: the single home of a
/// column. The append's insert and update statements and its change detection are generated from it, and the
/// replay test checks a table's rows against it, so a column is added in one place and cannot be forgotten in
/// another.
/// </summary>
/// <typeparam name="T">What one row is read from (a session, a run of a session, a step…).</typeparam>
public sealed class RowMap<T>
{
    private readonly ConcurrentDictionary<long, SqlText> _updates = new();
    private readonly int[] _changing;

    /// <param name="table">The table name.</param>
    /// <param name="columns">Every column of the table; the first is the key an update finds its row by.</param>
    public RowMap(string table, params IReadOnlyList<RowColumn<T>> columns)
    {
        if (columns.Count == 0 || columns[0].Changes)
        {
            throw new ArgumentException($"{table}: the first column is the fixed key", nameof(columns));
        }

        Table = table;
        Columns = columns;
        _changing = [.. Enumerable.Range(0, columns.Count).Where(i => columns[i].Changes)];
        if (_changing.Length > 63)
        {
            throw new ArgumentException($"{table}: at most 63 changing columns", nameof(columns));
        }

        var names = columns.Select(c => c.Name).ToList();
        Insert = new SqlText(
            $"INSERT INTO {table} ({string.Join(", ", names)}) VALUES ({string.Join(", ", names.Select(n => "@" + n))})"
        );
    }

    public string Table { get; }

    public IReadOnlyList<RowColumn<T>> Columns { get; }

    public RowColumn<T> Key => Columns[0];

    internal SqlText Insert { get; }

    /// <summary>The row's values as .NET values (ids as <see cref="Guid"/>, instants as
    /// <see cref="DateTimeOffset"/>), by column name.</summary>
    public IReadOnlyList<KeyValuePair<string, object?>> Read(T row) =>
        [.. Columns.Select(c => new KeyValuePair<string, object?>(c.Name, c.Read(row)))];

    internal AppendRow InsertRow(T row, RowValues values)
    {
        var bound = new object?[Columns.Count];
        for (var i = 0; i < bound.Length; i++)
        {
            bound[i] = values.Bind(Columns[i].Read(row));
        }

        return new AppendRow(Insert, bound);
    }

    /// <summary>
    /// The update of the changing columns whose value differs between <paramref name="before"/> and
    /// <paramref name="after"/>, or null when none does: an append that changed nothing a row shows does not rewrite
    /// it. Each set of changed columns has its own statement, generated once.
    /// </summary>
    internal AppendRow? UpdateRow(T before, T after, RowValues values)
    {
        long changed = 0;
        List<object?>? bound = null;
        for (var i = 0; i < _changing.Length; i++)
        {
            var column = Columns[_changing[i]];
            var value = column.Read(after);
            if (!Equals(column.Read(before), value))
            {
                changed |= 1L << i;
                (bound ??= new List<object?>(_changing.Length + 1)).Add(values.Bind(value));
            }
        }

        if (bound is null)
        {
            return null;
        }

        bound.Add(values.Bind(Key.Read(after)));
        return new AppendRow(_updates.GetOrAdd(changed, UpdateSql), [.. bound]);
    }

    private SqlText UpdateSql(long changed)
    {
        var set = _changing
            .Where((_, i) => (changed & (1L << i)) != 0)
            .Select(i => $"{Columns[i].Name} = @{Columns[i].Name}");
        return new SqlText($"UPDATE {Table} SET {string.Join(", ", set)} WHERE {Key.Name} = @{Key.Name}");
    }
}

/// <summary>One column: its name, how its value is read, and whether an update can change it.</summary>
public sealed record RowColumn<T>(string Name, Func<T, object?> Read, bool Changes)
{
    /// <summary>Written once, by the insert.</summary>
    public static RowColumn<T> Fixed(string name, Func<T, object?> read) => new(name, read, false);

    /// <summary>Written by the insert and by every update that changes it.</summary>
    public static RowColumn<T> Changing(string name, Func<T, object?> read) => new(name, read, true);
}

/// <summary>A statement's text and its parameter names in order of first use: the writer prepares each once (the
/// instance is its key).</summary>
internal sealed class SqlText
{
    public SqlText(string text)
    {
        Text = text;
        var names = new List<string>();
        var positional = new System.Text.StringBuilder(text.Length);
        var last = 0;
        for (var i = text.IndexOf('@'); i >= 0; i = text.IndexOf('@', i + 1))
        {
            var end = i + 1;
            while (end < text.Length && (char.IsLetterOrDigit(text[end]) || text[end] == '_'))
            {
                end++;
            }

            var name = text[i..end];
            var index = names.IndexOf(name);
            if (index < 0)
            {
                names.Add(name);
                index = names.Count - 1;
            }

            positional.Append(text, last, i - last).Append('$').Append(index + 1);
            last = end;
        }

        ParameterNames = names;
        Positional = positional.Append(text, last, text.Length - last).ToString();
    }

    public string Text { get; }

    /// <summary>
    /// The same statement with PostgreSQL's own placeholders (<c>$1</c>, <c>$2</c>… in the order of
    /// <see cref="ParameterNames"/>): bound by position, the client sends it as it is instead of rewriting named
    /// parameters on every execution.
    /// </summary>
    public string Positional { get; }

    public IReadOnlyList<string> ParameterNames { get; }

    public override string ToString() => Text;
}
