using System.Text;
using System.Text.Json;
using Challenges.Api.Delivery;

namespace Challenges.Api.Tests.Delivery;

public sealed class WebhookSignerTests
{
    private static readonly JsonElement Vector = JsonDocument.Parse(File.ReadAllText(VectorFiles.Path("webhook-signature.json"))).RootElement;

    [Fact]
    public void Signature_with_one_key_matches_the_independent_vector()
    {
        var body = Encoding.UTF8.GetBytes(Vector.GetProperty("body").GetString()!);
        var header = WebhookSigner.Sign(body, Vector.GetProperty("timestamp").GetInt64(), [Vector.GetProperty("secrets")[0].GetString()!]);
        Assert.Equal(Vector.GetProperty("header_one_key").GetString(), header);
    }

    [Fact]
    public void Signature_during_a_rotation_carries_one_v2_per_key()
    {
        var body = Encoding.UTF8.GetBytes(Vector.GetProperty("body").GetString()!);
        var secrets = Vector.GetProperty("secrets").EnumerateArray().Select(s => s.GetString()!).ToArray();
        var header = WebhookSigner.Sign(body, Vector.GetProperty("timestamp").GetInt64(), secrets);
        Assert.Equal(Vector.GetProperty("header_two_keys").GetString(), header);
    }

    [Fact]
    public void Envelope_is_compact_with_keys_in_contract_order()
    {
        var body = WebhookEnvelope.Write("3f1c1b8e-2a4d-4b7e-9a51-6f0c2d9e8a11", "https://challenges.example",
            DateTimeOffset.Parse("2026-11-22T01:51:56.070Z", System.Globalization.CultureInfo.InvariantCulture), "tenant-1", "sms.created",
            [new("to", "+64270000000"), new("code", "157743"), new("userId", "user-1"), new("idempotencyKey", "idem-1"),
             new("actionCode", "signIn"), new("locale", null)]);
        Assert.Equal(Vector.GetProperty("body").GetString(), Encoding.UTF8.GetString(body));
    }
}
