using System.CommandLine;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Skein.Cli.Commands;

/// <summary><c>skein apply -f manifest.yaml [--values v.yaml] [--dry-run]</c>: prints the plan; errors name path and
/// line.</summary>
public static class ApplyCommand
{
    public static Command Create()
    {
        var file = new Option<FileInfo>("--file", "-f")
        {
            Description = "Manifest YAML file (- reads standard input)",
            Required = true,
        };
        var values = new Option<FileInfo?>("--values")
        {
            Description = "Values file for the manifest's {{inputs.x}} placeholders",
        };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only report the planned changes; write nothing" };
        var command = new Command("apply", "Apply a manifest: create or update what it describes (idempotent)")
        {
            file,
            values,
            dryRun,
        };
        command.SetAction(
            (parse, ct) =>
                SkeinCli.RunAsync(
                    parse,
                    (api, token) =>
                        ApplyAsync(api, parse.GetValue(file)!, parse.GetValue(values), parse.GetValue(dryRun), token),
                    ct
                )
        );
        return command;
    }

    private static async Task<int> ApplyAsync(
        SkeinApi api,
        FileInfo file,
        FileInfo? values,
        bool dryRun,
        CancellationToken cancellationToken
    )
    {
        var manifest = await ReadAsync(file, cancellationToken);
        using var content = new MultipartFormDataContent { { Yaml(manifest), "manifest", file.Name } };
        if (values is not null)
        {
            content.Add(Yaml(await ReadAsync(values, cancellationToken)), "values", values.Name);
        }

        using var request = new HttpRequestMessage(
            HttpMethod.Post,
            $"api/manifests/apply?dryRun={(dryRun ? "true" : "false")}"
        )
        {
            Content = content,
        };
        using var response = await api.Http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var body = TryParse(text);
        await PrintProblemsAsync(body, "warnings", "warning", Console.Error);
        if (!response.IsSuccessStatusCode)
        {
            if (body?.TryGetProperty("errors", out _) == true)
            {
                await Console.Error.WriteLineAsync($"{file.Name} is not valid:");
                await PrintProblemsAsync(body, "errors", "error", Console.Error);
                return 1;
            }

            throw new CliException(SkeinApi.Describe((int)response.StatusCode, text));
        }

        var changes = body!.Value.GetProperty("changes").EnumerateArray().ToList();
        foreach (var change in changes)
        {
            Console.WriteLine(
                $"{change.GetProperty("action").GetString(), -10} {change.GetProperty("resource").GetString(), -12} "
                    + $"{change.GetProperty("key").GetString()}"
            );
        }

        var counts = changes
            .GroupBy(c => c.GetProperty("action").GetString())
            .ToDictionary(g => g.Key ?? "", g => g.Count());
        Console.WriteLine(
            $"{(dryRun ? "Plan (dry run, nothing written)" : "Applied")}: {counts.GetValueOrDefault("create")} to "
                + $"create, "
                + $"{counts.GetValueOrDefault("update")} to update, {counts.GetValueOrDefault("unchanged")} unchanged"
        );
        return 0;
    }

    private static async Task PrintProblemsAsync(JsonElement? body, string property, string label, TextWriter writer)
    {
        if (
            body is { ValueKind: JsonValueKind.Object } b
            && b.TryGetProperty(property, out var list)
            && list.ValueKind == JsonValueKind.Array
        )
        {
            foreach (var p in list.EnumerateArray())
            {
                var line =
                    p.TryGetProperty("line", out var l) && l.ValueKind == JsonValueKind.Number
                        ? $" (line {l.GetInt32()})"
                        : "";
                await writer.WriteLineAsync(
                    $"  {label}: {p.GetProperty("path").GetString()}: {p.GetProperty("message").GetString()}{line}"
                );
            }
        }
    }

    private static StringContent Yaml(string text)
    {
        var content = new StringContent(text, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/yaml") { CharSet = "utf-8" };
        return content;
    }

    private static async Task<string> ReadAsync(FileInfo file, CancellationToken cancellationToken)
    {
        if (file.Name == "-")
        {
            return await Console.In.ReadToEndAsync(cancellationToken);
        }

        return file.Exists
            ? await File.ReadAllTextAsync(file.FullName, cancellationToken)
            : throw new CliException($"file not found: {file.FullName}");
    }

    private static JsonElement? TryParse(string text)
    {
        try
        {
            return text.Length == 0 ? null : JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
