using System.Collections.Immutable;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace AkkaRlhf.Build.Tests;

/// <summary>
/// Finds, in compiled IL, the calls that hand libtorch a <c>TorchSharp.Scalar</c> which nothing keeps alive.
///
/// TorchSharp 0.107 turns a number into a Scalar (a managed object owning a native c10::Scalar, freed by its
/// finalizer) and passes its handle to a native function; once the handle is read, the managed object is
/// garbage. A collection during the native call lets the finalizer thread free the c10::Scalar while libtorch
/// still reads it: "Expected false to be true" from Scalar::toFloat, or "Unknown scalar type". It happens
/// wherever a number meets a tensor (<c>x * 0.5</c>, <c>x.clamp(-e, e)</c>, <c>arange(T)</c>) and inside
/// TorchSharp itself (<c>x + y</c> is <c>x.add(y, 1)</c>). A Scalar held by a <c>using</c> or a static field
/// outlives the call.
///
/// A TorchSharp method is a <i>temporary-Scalar member</i> when it makes a Scalar from a number without
/// disposing one, or calls such a member; a method of ours <i>leaks a Scalar</i> when it converts a number
/// implicitly, calls ToScalar without disposing a Scalar (static constructors excepted: their Scalars live in
/// static fields), or calls a temporary-Scalar member.
/// </summary>
public static class ScalarLifetime
{
    static readonly OpCode[] OneByte = new OpCode[256], TwoByte = new OpCode[256];

    static ScalarLifetime()
    {
        foreach (var field in typeof(OpCodes).GetFields())
        {
            var op = (OpCode)field.GetValue(null)!;
            if (op.Size == 1) OneByte[(ushort)op.Value] = op; else TwoByte[(ushort)op.Value & 0xFF] = op;
        }
    }

    /// <summary>The temporary-Scalar members of the TorchSharp assembly at <paramref name="torchSharp"/>, as "Type.name(parameter types)".</summary>
    public static IReadOnlySet<string> TemporaryScalarMembers(string torchSharp)
    {
        using var pe = new PEReader(File.OpenRead(torchSharp));
        var md = pe.GetMetadataReader();
        var callers = new Dictionary<MethodDefinitionHandle, List<MethodDefinitionHandle>>();
        var found = new HashSet<MethodDefinitionHandle>();
        foreach (var method in Methods(md))
        {
            var calls = Calls(pe, md, method).ToList();
            foreach (var callee in calls.Select(c => c.Handle).Where(h => h.Kind == HandleKind.MethodDefinition))
                (callers.TryGetValue((MethodDefinitionHandle)callee, out var list) ? list : callers[(MethodDefinitionHandle)callee] = []).Add(method);
            if (calls.Any(c => MakesScalar(c.Name)) && !calls.Any(c => Disposes(c.Name))) found.Add(method);
        }
        var pending = new Queue<MethodDefinitionHandle>(found);          // and whatever calls them, transitively
        while (pending.TryDequeue(out var method))
            foreach (var caller in callers.GetValueOrDefault(method, []))
                if (found.Add(caller)) pending.Enqueue(caller);
        return found.Select(m => Name(md, m)).ToHashSet();
    }

    /// <summary>Every method defined in the assembly at <paramref name="assembly"/>, named as above.</summary>
    public static IReadOnlySet<string> Members(string assembly)
    {
        using var pe = new PEReader(File.OpenRead(assembly));
        var md = pe.GetMetadataReader();
        return Methods(md).Select(m => Name(md, m)).ToHashSet();
    }

    /// <summary>"Type.method: callee" for each call in the assembly at <paramref name="assembly"/> that leaks a Scalar.</summary>
    public static IEnumerable<string> Leaks(string assembly, IReadOnlySet<string> temporaryScalarMembers)
    {
        using var pe = new PEReader(File.OpenRead(assembly));
        var md = pe.GetMetadataReader();
        foreach (var method in Methods(md))
        {
            var calls = Calls(pe, md, method).ToList();
            var staticConstructor = md.GetString(md.GetMethodDefinition(method).Name) == ".cctor";
            var disposes = calls.Any(c => Disposes(c.Name));
            foreach (var call in calls)
                if (call.Name.StartsWith("Scalar.op_Implicit(", StringComparison.Ordinal)
                    || (call.Name.StartsWith("ScalarExtensionMethods.ToScalar(", StringComparison.Ordinal) && !disposes && !staticConstructor)
                    || temporaryScalarMembers.Contains(call.Name))
                    yield return $"{Name(md, method)}: {call.Name}";
        }
    }

    static bool MakesScalar(string call) =>
        call.StartsWith("Scalar.op_Implicit(", StringComparison.Ordinal) || call.StartsWith("ScalarExtensionMethods.ToScalar(", StringComparison.Ordinal);

    static bool Disposes(string call) => call is "Scalar.Dispose()" or "IDisposable.Dispose()";

    static IEnumerable<MethodDefinitionHandle> Methods(MetadataReader md) =>
        md.TypeDefinitions.SelectMany(t => md.GetTypeDefinition(t).GetMethods());

    /// <summary>The methods <paramref name="method"/> calls (call, callvirt, newobj), named "Type.name(parameter types)".</summary>
    static IEnumerable<(EntityHandle Handle, string Name)> Calls(PEReader pe, MetadataReader md, MethodDefinitionHandle method)
    {
        var rva = md.GetMethodDefinition(method).RelativeVirtualAddress;
        if (rva == 0) yield break;
        var il = pe.GetMethodBody(rva).GetILBytes()!;
        for (var i = 0; i < il.Length;)
        {
            var op = il[i] == 0xFE ? TwoByte[il[++i]] : OneByte[il[i]];
            i++;
            var operand = op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i),
                _ => 4,
            };
            if (op == OpCodes.Call || op == OpCodes.Callvirt || op == OpCodes.Newobj || op == OpCodes.Ldftn || op == OpCodes.Ldvirtftn)
            {
                var callee = MetadataTokens.EntityHandle(BitConverter.ToInt32(il, i));                 // a lambda's body counts as called
                if (callee.Kind == HandleKind.MethodSpecification) callee = md.GetMethodSpecification((MethodSpecificationHandle)callee).Method;
                if (callee.Kind is HandleKind.MethodDefinition or HandleKind.MemberReference) yield return (callee, Name(md, callee));
            }
            i += operand;
        }
    }

    static string Name(MetadataReader md, EntityHandle method)
    {
        if (method.Kind == HandleKind.MethodDefinition)
        {
            var definition = md.GetMethodDefinition((MethodDefinitionHandle)method);
            var type = md.GetString(md.GetTypeDefinition(definition.GetDeclaringType()).Name);
            return Signed(type, md.GetString(definition.Name), definition.DecodeSignature(TypeNames.Instance, null));
        }
        var reference = md.GetMemberReference((MemberReferenceHandle)method);
        var parent = reference.Parent.Kind switch
        {
            HandleKind.TypeReference => md.GetString(md.GetTypeReference((TypeReferenceHandle)reference.Parent).Name),
            HandleKind.TypeDefinition => md.GetString(md.GetTypeDefinition((TypeDefinitionHandle)reference.Parent).Name),
            _ => "?",
        };
        return reference.GetKind() == MemberReferenceKind.Method
            ? Signed(parent, md.GetString(reference.Name), reference.DecodeMethodSignature(TypeNames.Instance, null))
            : $"{parent}.{md.GetString(reference.Name)}";
    }

    static string Name(MetadataReader md, MethodDefinitionHandle method) => Name(md, (EntityHandle)method);

    static string Signed(string type, string name, MethodSignature<string> signature) =>
        $"{type}.{name}({string.Join(", ", signature.ParameterTypes)})";

    /// <summary>Type names without namespaces: Tensor, Scalar, Double, Nullable&lt;Int64&gt;, Int64[].</summary>
    sealed class TypeNames : ISignatureTypeProvider<string, object?>
    {
        public static readonly TypeNames Instance = new();
        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode.ToString();
        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) =>
            reader.GetString(reader.GetTypeDefinition(handle).Name);
        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) =>
            reader.GetString(reader.GetTypeReference(handle).Name);
        public string GetTypeFromSpecification(MetadataReader reader, object? context, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, context);
        public string GetSZArrayType(string elementType) => elementType + "[]";
        public string GetArrayType(string elementType, ArrayShape shape) => elementType + "[" + new string(',', shape.Rank - 1) + "]";
        public string GetByReferenceType(string elementType) => elementType + "&";
        public string GetPointerType(string elementType) => elementType + "*";
        public string GetPinnedType(string elementType) => elementType;
        public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments) =>
            $"{genericType.Split('`')[0]}<{string.Join(", ", typeArguments)}>";
        public string GetGenericMethodParameter(object? context, int index) => "!!" + index;
        public string GetGenericTypeParameter(object? context, int index) => "!" + index;
        public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;
        public string GetFunctionPointerType(MethodSignature<string> signature) => "fnptr";
        public string GetTypeFromSerializedName(string name) => name;
        public PrimitiveTypeCode GetUnderlyingEnumType(string type) => PrimitiveTypeCode.Int32;
        public bool IsSystemType(string type) => type == "Type";
    }
}
