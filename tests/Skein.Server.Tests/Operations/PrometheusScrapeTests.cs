using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Skein.Core.Agents;
using Skein.Testing;

namespace Skein.Server.Tests.Operations;

/// <summary>
/// Debian's real Prometheus server scrapes a Skein server's <c>/metrics</c> while runs complete; its query API then
/// has the GenAI token-usage histogram and Skein's runs-finished counter, non-zero.
/// </summary>
public sealed class PrometheusScrapeTests
{
    [Fact]
    public async Task PrometheusScrapesTokenUsageAndFinishedRuns()
    {
        var ct = TestContext.Current.CancellationToken;
        var binary = new[] { "/usr/bin/prometheus", "/usr/local/bin/prometheus" }.FirstOrDefault(File.Exists);
        Assert.True(binary is not null, "the prometheus server is not installed (Debian package 'prometheus')");

        await using var world = await OpsScenario.StartAsync(null, ct);
        var agent = await TestData.CreateAgentAsync(
            world.Contexts,
            new AgentSpec
            {
                Script =
                [
                    new ScriptTurn
                    {
                        Text = "done",
                        InputTokens = 120,
                        OutputTokens = 30,
                    },
                ],
            },
            ct
        );

        using var dir = new TempDirectory("skein-prometheus");
        var port = FreePort();
        var target = world.Server.BaseAddress.Authority;
        File.WriteAllText(
            dir.File("prometheus.yml"),
            $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: skein
                scrape_interval: 1s
                static_configs:
                  - targets: ['{target}']
            """
        );
        var info = new ProcessStartInfo(binary!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (
            var arg in new[]
            {
                "--config.file=" + dir.File("prometheus.yml"),
                "--storage.tsdb.path=" + dir.File("tsdb"),
                $"--web.listen-address=127.0.0.1:{port}",
            }
        )
        {
            info.ArgumentList.Add(arg);
        }

        using var prometheus = Process.Start(info)!;
        var log = new System.Text.StringBuilder();
        prometheus.ErrorDataReceived += (_, e) =>
        {
            lock (log)
            {
                log.AppendLine(e.Data);
            }
        };
        prometheus.BeginErrorReadLine();
        prometheus.BeginOutputReadLine();
        try
        {
            using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            for (var i = 0; i < 5; i++)
            {
                var run = await world.StartRunAsync(agent.AgentId, ct);
                Assert.Equal("Completed", (await world.WaitForEndAsync(run.SessionId, ct)).Session.Status);
            }

            // Each query waits for a scrape taken after the five runs: one taken while they ran holds smaller sums.
            var tokens = await QueryAsync(api, "sum(gen_ai_client_token_usage_sum)", 5 * 150, log, ct);
            var finished = await QueryAsync(
                api,
                "sum(skein_runs_finished_total{skein_run_status=\"Completed\"})",
                5,
                log,
                ct
            );
            Assert.True(tokens >= 5 * 150, $"token usage sum {tokens}");
            Assert.True(finished >= 5, $"runs finished {finished}");
            Assert.True(await QueryAsync(api, "sum(gen_ai_client_operation_duration_seconds_count)", 5, log, ct) >= 5);
        }
        finally
        {
            prometheus.Kill();
            await prometheus.WaitForExitAsync(ct);
        }
    }

    /// <summary>Polls an instant query until its one value reaches <paramref name="atLeast"/> (a timeout carries
    /// Prometheus's log).</summary>
    private static async Task<double> QueryAsync(
        HttpClient api,
        string query,
        double atLeast,
        System.Text.StringBuilder log,
        CancellationToken ct
    )
    {
        try
        {
            return await Eventually.Get(
                async () =>
                {
                    try
                    {
                        var answer = await api.GetFromJsonAsync<JsonElement>(
                            "/api/v1/query?query=" + Uri.EscapeDataString(query),
                            ct
                        );
                        var result = answer.GetProperty("data").GetProperty("result");
                        return result.GetArrayLength() == 0
                            ? 0
                            : double.Parse(
                                result[0].GetProperty("value")[1].GetString()!,
                                CultureInfo.InvariantCulture
                            );
                    }
                    catch (HttpRequestException)
                    {
                        return 0; // not listening yet
                    }
                },
                v => v >= atLeast,
                TimeSpan.FromSeconds(60),
                query
            );
        }
        catch (TimeoutException ex)
        {
            lock (log)
            {
                throw new TimeoutException($"{ex.Message}\nprometheus log:\n{log}", ex);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
