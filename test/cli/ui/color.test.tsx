/**
 * NO_COLOR: the dashboard asks for colours only when the terminal gets them
 * (`colorEnabled`: a TTY, no NO_COLOR, TERM not dumb). Ink colours through
 * chalk, which decides once, when it loads, whether this process may
 * colour: FORCE_COLOR is set before anything is imported, so the frames
 * below show exactly what the dashboard asked for.
 */
import { describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.FORCE_COLOR = '1';
});

const { render } = await import('ink-testing-library');
const { App } = await import('../../../src/cli/ui/components/App.js');
const { Dashboard } = await import('../../../src/cli/ui/controller.js');
const { colorEnabled } = await import('../../../src/cli/ui/start.js');
const { stripAnsi } = await import('../../../src/cli/ui/text.js');
const { authLog, fakeActions, fakeShell } = await import('./fixtures.js');

/** A foreground colour: 30–37, 90–97, or 38;… (256 colours, true colour). */
// eslint-disable-next-line no-control-regex
const SGR_COLOR = /\u001b\[(3[0-7]|9[0-7]|38;)[0-9;]*m/;

function frame(color: boolean): string {
  const dashboard = new Dashboard(fakeActions(authLog()), fakeShell(), {
    size: { columns: 80, rows: 24 },
    color,
  });
  const ui = render(<App dashboard={dashboard} />);
  const text = ui.lastFrame() ?? '';
  ui.unmount();
  return text;
}

describe('colours', () => {
  it('colours only on a terminal, without NO_COLOR, and not with TERM=dumb', () => {
    const tty = { isTTY: true };
    expect(colorEnabled({}, tty)).toBe(true);
    expect(colorEnabled({ NO_COLOR: '1' }, tty)).toBe(false);
    expect(colorEnabled({ NO_COLOR: '' }, tty)).toBe(false);
    expect(colorEnabled({ TERM: 'dumb' }, tty)).toBe(false);
    expect(colorEnabled({}, { isTTY: false })).toBe(false);
  });

  it('with colours: the states, the question and the keys are coloured', () => {
    const colored = frame(true);
    expect(colored).toMatch(SGR_COLOR);
    expect(colored).toContain('\u001b[33mWaiting on you (2)');
  });

  it('NO_COLOR: the same frame, without a single colour code', () => {
    const colored = frame(true);
    const plain = frame(colorEnabled({ NO_COLOR: '1' }, { isTTY: true }));
    expect(plain).not.toMatch(SGR_COLOR);
    expect(stripAnsi(plain)).toBe(stripAnsi(colored));
  });
});
