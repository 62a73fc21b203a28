using System.Globalization;
using System.Text.Json;
using Skein.Core;
using Skein.Core.UserTasks;

namespace Skein.Engine.Tools;

/// <summary>
/// Built-in ask-a-person tools for HITL agents: the model asks a question, a person answers in the
/// dashboard or through the API, and the answer comes back as the tool result.
/// </summary>
public static class AskUserTools
{
    public const string Choice = "ask_user_choice";
    public const string Text = "ask_user_text";
    public const string Number = "ask_user_number";

    public static IEnumerable<ITool> All() => [new ChoiceTool(), new TextTool(), new NumberTool()];

    private static string Question(JsonElement args) =>
        args.ValueKind == JsonValueKind.Object
        && args.TryGetProperty("question", out var q)
        && q.ValueKind == JsonValueKind.String
        && q.GetString() is { Length: > 0 } text
            ? text
            : throw new ArgumentException("'question' (a non-empty string) is required");

    private abstract class AskTool : ITool
    {
        public abstract string Name { get; }
        public abstract string Description { get; }
        public abstract JsonElement ParametersSchema { get; }
        public bool Idempotent => true;
        public bool RequiresApproval => false;

        public Task<ToolOutcome> ExecuteAsync(ToolInvocation invocation, CancellationToken cancellationToken)
        {
            try
            {
                return Task.FromResult(Ask(invocation.Arguments));
            }
            catch (ArgumentException ex)
            {
                return Task.FromResult(ToolOutcome.Fail($"{Name}: {ex.Message}"));
            }
        }

        protected abstract ToolOutcome Ask(JsonElement args);
    }

    private sealed class ChoiceTool : AskTool
    {
        private static readonly JsonElement Schema = SkeinJson.Parse(
            """
            {"type":"object","required":["question","options"],"properties":{
              "question":{"type":"string"},
              "options":{"type":"array","minItems":2,"items":{"type":"object","required":["id","label"],
                "properties":{"id":{"type":"string"},"label":{"type":"string"}}}}}}
            """
        );

        public override string Name => Choice;
        public override string Description => "Ask a person to pick one of several options; returns the chosen option.";
        public override JsonElement ParametersSchema => Schema;

        protected override ToolOutcome Ask(JsonElement args)
        {
            var question = Question(args);
            if (
                !args.TryGetProperty("options", out var options)
                || options.ValueKind != JsonValueKind.Array
                || options.GetArrayLength() < 2
                || options
                    .EnumerateArray()
                    .Any(o =>
                        o.ValueKind != JsonValueKind.Object
                        || !o.TryGetProperty("id", out var id)
                        || id.ValueKind != JsonValueKind.String
                    )
            )
            {
                throw new ArgumentException("'options' must list at least two {id, label} objects");
            }

            var ids = options.EnumerateArray().Select(o => o.GetProperty("id").GetString()).ToList();
            if (ids.Distinct().Count() != ids.Count)
            {
                throw new ArgumentException("option ids must be unique");
            }

            return new ToolOutcome.AskUser(
                UserTaskKinds.MultiOption,
                question,
                SkeinJson.Element(new { question, options })
            );
        }
    }

    private sealed class TextTool : AskTool
    {
        private static readonly JsonElement Schema = SkeinJson.Parse(
            """{"type":"object","required":["question"],"properties":{"question":{"type":"string"}}}"""
        );

        public override string Name => Text;
        public override string Description => "Ask a person a question answered in free text.";
        public override JsonElement ParametersSchema => Schema;

        protected override ToolOutcome Ask(JsonElement args)
        {
            var question = Question(args);
            return new ToolOutcome.AskUser(UserTaskKinds.Text, question, SkeinJson.Element(new { question }));
        }
    }

    private sealed class NumberTool : AskTool
    {
        private static readonly JsonElement Schema = SkeinJson.Parse(
            """
            {"type":"object","required":["question"],"properties":{"question":{"type":"string"},
              "min":{"type":"number"},"max":{"type":"number"}}}
            """
        );

        public override string Name => Number;
        public override string Description => "Ask a person for a number (optionally between min and max).";
        public override JsonElement ParametersSchema => Schema;

        protected override ToolOutcome Ask(JsonElement args)
        {
            var question = Question(args);
            double? min = args.TryGetProperty("min", out var lo) && lo.TryGetDouble(out var l) ? l : null;
            double? max = args.TryGetProperty("max", out var hi) && hi.TryGetDouble(out var h) ? h : null;
            if (min > max)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"min ({min}) is above max ({max})")
                );
            }

            return new ToolOutcome.AskUser(
                UserTaskKinds.Number,
                question,
                SkeinJson.Element(
                    new
                    {
                        question,
                        min,
                        max,
                    }
                )
            );
        }
    }
}
