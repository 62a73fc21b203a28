namespace Skein.Core;

/// <summary>
/// One transition table per status machine. Every move not listed is illegal, and illegal moves
/// all fail the same way (a typed <see cref="DomainError"/>), never silently.
/// </summary>
public sealed class StatusMachine<TStatus>
    where TStatus : struct, Enum
{
    private readonly HashSet<(TStatus From, TStatus To)> _allowed;
    private readonly HashSet<TStatus> _terminal;

    public StatusMachine(string name, IEnumerable<(TStatus From, TStatus To)> allowed, IEnumerable<TStatus> terminal)
    {
        Name = name;
        _allowed = [.. allowed];
        _terminal = [.. terminal];
        foreach (var (from, _) in _allowed)
        {
            if (_terminal.Contains(from))
            {
                throw new ArgumentException($"{name}: terminal status {from} cannot have outgoing transitions");
            }
        }
    }

    public string Name { get; }

    public bool IsTerminal(TStatus status) => _terminal.Contains(status);

    public bool CanMove(TStatus from, TStatus to) => _allowed.Contains((from, to));

    public DomainError? Check(TStatus from, TStatus to) =>
        CanMove(from, to) ? null : DomainError.IllegalTransition(Name, from, to);
}
