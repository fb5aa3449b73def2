# Regenerates tests/Wallfacer.Inference.Tests/Templates/JinjaExpectations.cs (the TheoryData bodies)
# from cases.json with Python jinja2 3.1, configured as transformers configures it:
#   python3 generate.py cases.json
import json, sys
from datetime import datetime
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.ext import loopcontrols
env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
env.filters["tojson"] = lambda x, ensure_ascii=False, indent=None, separators=None, sort_keys=False: json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)
env.globals["strftime_now"] = lambda f: datetime(2025,3,14,9,26,53).strftime(f)
VARS = {"messages":[{"role":"user","content":"hi ' there"},{"role":"assistant","content":[{"type":"text","text":"p1"}]}],"n":3,"f":2.5,"flag":True,"nothing":None}
def cs(s):
    out=[]
    for ch in s:
        o=ord(ch)
        if ch=='\\': out.append('\\\\')
        elif ch=='"': out.append('\\"')
        elif ch=='\n': out.append('\\n')
        elif ch=='\t': out.append('\\t')
        elif ch=='\r': out.append('\\r')
        elif o<0x20 or 0x7f<=o<0xa0: out.append('\\u%04x'%o)
        else: out.append(ch)
    return '"'+''.join(out)+'"'
groups = json.load(open(sys.argv[1]))
for name, cases in groups.items():
    print(f"    public static TheoryData<string, string> {name} => new()\n    {{")
    for t in cases:
        r = env.from_string(t).render(**VARS)
        print(f"        {{ {cs(t)}, {cs(r)} }},")
    print("    };\n")

