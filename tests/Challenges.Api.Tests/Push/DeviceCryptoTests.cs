using System.Text.Json;
using Challenges.Api.Push;

namespace Challenges.Api.Tests.Push;

/// <summary>The device crypto against the independent vectors, including every invalid one.</summary>
public sealed class DeviceCryptoTests
{
    private static readonly JsonElement Signatures = Load("device-signatures.json");
    private static readonly JsonElement Encodings = Load("encodings.json");

    private static JsonElement Load(string name) => JsonDocument.Parse(File.ReadAllText(VectorFiles.Path(name))).RootElement.Clone();

    private static string Key => Signatures.GetProperty("publicKeySpkiBase64").GetString()!;

    [Fact]
    public void The_vector_key_is_a_P256_key_and_keeps_its_text()
    {
        Assert.Equal(Key, DeviceCrypto.NormalizePublicKey(Key));
    }

    public static TheoryData<string, string> NotP256Keys()
    {
        var data = new TheoryData<string, string>();
        foreach (var k in Signatures.GetProperty("notP256Keys").EnumerateArray())
        {
            data.Add(k.GetProperty("why").GetString()!, k.GetProperty("publicKey").GetString()!);
        }
        data.Add("not base64", "%%%not-base64%%%");
        data.Add("empty", "");
        data.Add("a key with bytes after it", Convert.ToBase64String([.. Convert.FromBase64String(Key), 0]));
        return data;
    }

    [Theory]
    [MemberData(nameof(NotP256Keys))]
    public void Anything_but_a_P256_SPKI_key_is_refused(string why, string publicKey)
    {
        Assert.True(DeviceCrypto.NormalizePublicKey(publicKey) is null, why);
    }

    [Fact]
    public void The_valid_vector_signature_verifies()
    {
        var valid = Signatures.GetProperty("valid");
        Assert.True(DeviceCrypto.Verify(Key, valid.GetProperty("message").GetString()!, valid.GetProperty("signature").GetString()));
    }

    public static TheoryData<string, string, string> InvalidSignatures()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var s in Signatures.GetProperty("invalid").EnumerateArray())
        {
            data.Add(s.GetProperty("why").GetString()!, s.GetProperty("message").GetString()!, s.GetProperty("signature").GetString()!);
        }
        var valid = Signatures.GetProperty("valid");
        data.Add("the valid signature over a changed message", valid.GetProperty("message").GetString()! + "x", valid.GetProperty("signature").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(InvalidSignatures))]
    public void Every_invalid_vector_signature_is_refused(string why, string message, string signature)
    {
        Assert.False(DeviceCrypto.Verify(Key, message, signature), why);
    }

    [Fact]
    public void Both_query_encodings_decode_to_the_key()
    {
        var query = Encodings.GetProperty("publicKeyQuery");
        var expected = query.GetProperty("publicKeySpkiBase64").GetString();
        Assert.Equal(expected, DeviceCrypto.DecodeQueryKey(query.GetProperty("ios").GetString()));
        Assert.Equal(expected, DeviceCrypto.DecodeQueryKey(query.GetProperty("android").GetString()));
        Assert.Equal(query.GetProperty("android").GetString(), DeviceCrypto.EncodeQueryKey(expected!));
    }

    [Fact]
    public void A_plus_that_arrived_as_a_space_is_read_as_a_plus()
    {
        // The plain key text in a query may have '+'; a form decoder turns it into a space.
        string key;
        do
        {
            using var ec = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
            key = Convert.ToBase64String(ec.ExportSubjectPublicKeyInfo());
        }
        while (!key.Contains('+', StringComparison.Ordinal));
        Assert.Equal(key, DeviceCrypto.DecodeQueryKey(key.Replace('+', ' ')));
        Assert.Equal(key, DeviceCrypto.DecodeQueryKey(DeviceCrypto.EncodeQueryKey(key).Replace('+', ' ')));
    }

    [Fact]
    public void A_query_key_that_is_not_a_key_is_refused()
    {
        Assert.Null(DeviceCrypto.DecodeQueryKey("aGVsbG8="));
        Assert.Null(DeviceCrypto.DecodeQueryKey(""));
        Assert.Null(DeviceCrypto.DecodeQueryKey(null));
    }

    [Fact]
    public void The_time_window_message_is_the_window_number_with_a_dot_zero()
    {
        var window = Signatures.GetProperty("timeWindow");
        var at = DateTimeOffset.FromUnixTimeSeconds(window.GetProperty("unixSeconds").GetInt64());
        Assert.Equal(window.GetProperty("message").GetString(), DeviceCrypto.TimeWindowMessage(at));
        Assert.Equal(window.GetProperty("previousMessage").GetString(), DeviceCrypto.TimeWindowMessage(at.AddMinutes(-10)));
    }

    [Fact]
    public void The_current_and_previous_window_signatures_verify_and_an_older_one_does_not()
    {
        var window = Signatures.GetProperty("timeWindow");
        var at = DateTimeOffset.FromUnixTimeSeconds(window.GetProperty("unixSeconds").GetInt64());
        Assert.True(DeviceCrypto.VerifyTimeWindow(Key, window.GetProperty("signature").GetString(), at));
        Assert.True(DeviceCrypto.VerifyTimeWindow(Key, window.GetProperty("signaturePrevious").GetString(), at));
        Assert.False(DeviceCrypto.VerifyTimeWindow(Key, window.GetProperty("signatureTooOld").GetString(), at));
        // Ten minutes later the "current" signature is the previous window's and still verifies; twenty minutes later it does not.
        Assert.True(DeviceCrypto.VerifyTimeWindow(Key, window.GetProperty("signature").GetString(), at.AddMinutes(10)));
        Assert.False(DeviceCrypto.VerifyTimeWindow(Key, window.GetProperty("signature").GetString(), at.AddMinutes(20)));
    }

    [Fact]
    public void The_reference_device_signs_what_the_server_verifies()
    {
        using var key = Challenges.Device.DeviceClient.NewKey();
        var device = new Challenges.Device.DeviceClient(new HttpClient(), "t", key);
        Assert.Equal(device.PublicKey, DeviceCrypto.NormalizePublicKey(device.PublicKey));
        Assert.True(DeviceCrypto.Verify(device.PublicKey, "hello", device.Sign("hello")));
        Assert.False(DeviceCrypto.Verify(device.PublicKey, "hello!", device.Sign("hello")));
        Assert.Equal(device.PublicKey, DeviceCrypto.DecodeQueryKey(device.QueryKey));
    }
}
