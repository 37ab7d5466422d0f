// Run with the cached Kimi Code node: judge [[hooks]] tables with Kimi Code 2.1.0's own matcher.
// Usage: node kimi_code_hook_judge.mjs MAIN_MJS REQUESTS.json VERDICTS.json
// Requests: [{id, cwd, hooks: [{event, matcher, command}]}]. The matcher function is taken from
// Kimi Code's dist/main.mjs (`function matches$1`, used by runMatchedHooks), not rewritten here;
// commands run as Kimi Code's runHook runs them: spawn with shell: true from cwd, a JSON payload
// of an ordinary file write on stdin.
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const [mainMjs, requestsFile, verdictsFile] = process.argv.slice(2);
const source = readFileSync(mainMjs, 'utf8');
const found = source.match(/function matches\$1\(pattern, value\) \{[\s\S]*?\n\}/);
if (!found) throw new Error('matches$1 not found in ' + mainMjs);
const matches = new Function(`${found[0].replace('function matches$1', 'return function')}`)();
const WRITE_TOOLS = ['Write', 'Edit'];

const verdicts = {};
for (const request of JSON.parse(readFileSync(requestsFile, 'utf8'))) {
  verdicts[request.id] = request.hooks.map((hook) => {
    const matcher = hook.matcher ?? '';
    let validRegex = true;
    try { new RegExp(matcher); } catch { validRegex = false; }
    const payload = JSON.stringify({ hook_event_name: hook.event, tool_name: 'Write',
                                     tool_input: { path: 'notes.md', content: 'x' } });
    const run = spawnSync(hook.command, { shell: true, cwd: request.cwd, input: payload, timeout: 20000 });
    return {
      event: hook.event, command: hook.command, valid_regex: validRegex,
      matches_empty: matches(matcher, ''),
      write_tools_matched: WRITE_TOOLS.filter((tool) => matches(matcher, tool)),
      exit_code: run.status,
    };
  });
}
writeFileSync(verdictsFile, JSON.stringify(verdicts));
