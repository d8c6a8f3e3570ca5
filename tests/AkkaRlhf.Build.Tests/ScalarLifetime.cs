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
/// implicitly, calls ToScalar without storing the Scalar where it is disposed or in a static field, or calls a
/// temporary-Scalar member.
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
            var code = Instructions(pe, md, method).ToList();
            for (var i = 0; i < code.Count; i++)
                if (code[i].Callee is { } callee
                    && (callee.StartsWith("Scalar.op_Implicit(", StringComparison.Ordinal)
                        || (callee.StartsWith("ScalarExtensionMethods.ToScalar(", StringComparison.Ordinal) && !Disposed(code, i))
                        || temporaryScalarMembers.Contains(callee)))
                    yield return $"{Name(md, method)}: {callee}";
        }
    }

    /// <summary>
    /// Whether the Scalar made at <paramref name="code"/>[<paramref name="made"/>] is kept where it outlives the calls that
    /// read it: stored in a static field, or in a local or field that the method disposes (a <c>using</c>, also of a local
    /// that a lambda or local function captures).
    /// </summary>
    static bool Disposed(List<Instruction> code, int made)
    {
        if (made + 1 >= code.Count) return false;
        var store = code[made + 1];
        if (store.Op == OpCodes.Stsfld) return true;
        var load = OpCodes.Ldfld;
        if (store.Op != OpCodes.Stfld && !StoreToLoad.TryGetValue(store.Op, out load)) return false;   // handed straight to a call
        return code.Where((c, i) => i > 0 && c.Callee is { } callee && Disposes(callee)
            && code[i - 1].Op == load && code[i - 1].Operand == store.Operand).Any();
    }

    /// <summary>Each local store instruction with the load that reads the same local back (operand: the local's index).</summary>
    static readonly Dictionary<OpCode, OpCode> StoreToLoad = new()
    {
        [OpCodes.Stloc_0] = OpCodes.Ldloc_0, [OpCodes.Stloc_1] = OpCodes.Ldloc_1, [OpCodes.Stloc_2] = OpCodes.Ldloc_2,
        [OpCodes.Stloc_3] = OpCodes.Ldloc_3, [OpCodes.Stloc_S] = OpCodes.Ldloc_S, [OpCodes.Stloc] = OpCodes.Ldloc,
    };

    static bool MakesScalar(string call) =>
        call.StartsWith("Scalar.op_Implicit(", StringComparison.Ordinal) || call.StartsWith("ScalarExtensionMethods.ToScalar(", StringComparison.Ordinal);

    static bool Disposes(string call) => call is "Scalar.Dispose()" or "IDisposable.Dispose()";

    static IEnumerable<MethodDefinitionHandle> Methods(MetadataReader md) =>
        md.TypeDefinitions.SelectMany(t => md.GetTypeDefinition(t).GetMethods());

    /// <summary>The methods <paramref name="method"/> calls (call, callvirt, newobj, and a lambda's ldftn), named "Type.name(parameter types)".</summary>
    static IEnumerable<(EntityHandle Handle, string Name)> Calls(PEReader pe, MetadataReader md, MethodDefinitionHandle method) =>
        Instructions(pe, md, method).Where(c => c.Callee is not null).Select(c => (c.Handle, c.Callee!));

    /// <summary>One IL instruction: its opcode, its operand (a token, a local's index, or 0) and, for a call, the method it names.</summary>
    record struct Instruction(OpCode Op, long Operand, EntityHandle Handle, string? Callee);

    /// <summary>The instructions of <paramref name="method"/>'s body, in order.</summary>
    static IEnumerable<Instruction> Instructions(PEReader pe, MetadataReader md, MethodDefinitionHandle method)
    {
        var rva = md.GetMethodDefinition(method).RelativeVirtualAddress;
        if (rva == 0) yield break;
        var il = pe.GetMethodBody(rva).GetILBytes()!;
        for (var i = 0; i < il.Length;)
        {
            var op = il[i] == 0xFE ? TwoByte[il[++i]] : OneByte[il[i]];
            i++;
            var (size, operand) = op.OperandType switch
            {
                OperandType.InlineNone => (0, 0L),
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => (1, il[i]),
                OperandType.InlineVar => (2, BitConverter.ToUInt16(il, i)),
                OperandType.InlineI8 or OperandType.InlineR => (8, 0L),
                OperandType.InlineSwitch => (4 + 4 * BitConverter.ToInt32(il, i), 0L),
                _ => (4, BitConverter.ToInt32(il, i)),
            };
            if (op == OpCodes.Ldloc_0 || op == OpCodes.Ldloc_1 || op == OpCodes.Ldloc_2 || op == OpCodes.Ldloc_3) operand = op.Value - OpCodes.Ldloc_0.Value;
            if (op == OpCodes.Stloc_0 || op == OpCodes.Stloc_1 || op == OpCodes.Stloc_2 || op == OpCodes.Stloc_3) operand = op.Value - OpCodes.Stloc_0.Value;
            (EntityHandle Handle, string? Name) callee = (default, null);
            if (op == OpCodes.Call || op == OpCodes.Callvirt || op == OpCodes.Newobj || op == OpCodes.Ldftn || op == OpCodes.Ldvirtftn)
            {
                var handle = MetadataTokens.EntityHandle((int)operand);                                  // a lambda's body counts as called
                if (handle.Kind == HandleKind.MethodSpecification) handle = md.GetMethodSpecification((MethodSpecificationHandle)handle).Method;
                if (handle.Kind is HandleKind.MethodDefinition or HandleKind.MemberReference) callee = (handle, Name(md, handle));
            }
            yield return new Instruction(op, operand, callee.Handle, callee.Name);
            i += size;
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
