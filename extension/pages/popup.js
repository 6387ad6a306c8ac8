// The toolbar popup, for the employee: what applies to the tab in front of them (blocked,
// warned and continued until when, allowed, recorded), whether what they paste or type there is
// checked, the approved alternative, and the console only where the admin lets them see it.
// The background answers from the tab's own address; the popup draws.
import { api, t, localize, uiLanguage, pickLocalized } from '../shared/runtime-module.js';

const $ = (id) => document.getElementById(id);

function draw(s) {
  const main = $('popup');
  main.dataset.state = s.applies ? 'applies' : 'not-applicable';
  main.dataset.action = s.applies ? s.action : '';
  $('console').hidden = !s.console;
  if (!s.applies) {
    $('verdict').textContent = t('popupNotApplicable');
    return;
  }
  $('host').textContent = s.host;
  if (s.tool) {
    $('tool').hidden = false;
    $('tool').textContent = t('toolLine', [s.tool.name, t('category_' + s.tool.category.replace('-', '_'))]);
  }
  const until = s.grantedUntil ? new Date(s.grantedUntil).toLocaleTimeString(uiLanguage(), { hour: '2-digit', minute: '2-digit' }) : '';
  const [title, detail] = s.action === 'block' ? [t('popupBlocked'), pickLocalized(s.message) ?? '']
    : s.action === 'warn' ? [t('popupWarned'), pickLocalized(s.message) ?? '']
      : s.granted ? [t('popupContinued'), t('popupContinuedUntil', [until])]
        : s.monitored ? [t('popupAllowed'), t('popupMonitored')]
          : [t('popupAllowed'), ''];
  $('verdict').textContent = title;
  $('verdict-detail').textContent = detail;
  $('verdict-detail').hidden = !detail;
  $('content').textContent = t(s.scansContent ? 'popupContentChecked' : 'popupContentNotChecked');
  $('content').dataset.checked = String(s.scansContent);
  if (s.alternative) {
    $('alternative').hidden = false;
    $('alternative-link').href = s.alternative;
    $('alternative-link').textContent = s.alternative;
  }
}

async function main() {
  localize();
  const [tab] = await api.tabs.query({ active: true, currentWindow: true });
  // A test (or a keyboard user's bookmark) may open the popup as a page: ?tab= names the tab.
  const asked = Number(new URLSearchParams(location.search).get('tab'));
  draw(await api.runtime.sendMessage({ type: 'tabStatus', tabId: Number.isInteger(asked) && asked > 0 ? asked : tab?.id }));
}

main();
