import { describe, expect, it } from '@jest/globals';
import { UsageError } from '../../src/errors.js';
import { parseRuleAdd, parseRuleOptions } from '../../src/routing/rule-syntax.js';
import { splitList } from '../../src/routing/rule-vocabulary.js';
import { words } from './world.js';

const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof UsageError) return error.userMessage;
    throw error;
  }
  throw new Error('expected a UsageError');
};

describe('rule add syntax', () => {
  it('reads every key', () => {
    const { ruleName, input } = parseRuleAdd(
      words('"Contoso high" tenants:contoso,Fabrikam severity:high,med groups:Servers,"Finance laptops" source:endpoint,mdi detection:av,customDetection category:ransomware,CredentialAccess title:"lateral movement" include:org,link to:channels,here,SOC@MSSP.example,"SOC › Contoso alerts" mode:both enabled:no'),
    );
    expect(ruleName).toBe('Contoso high');
    expect(input).toEqual({
      tenants: { scope: 'only', refs: ['contoso', 'fabrikam'] },
      severities: ['high', 'medium'],
      deviceGroups: ['Servers', 'Finance laptops'],
      serviceSources: ['microsoftDefenderForEndpoint', 'microsoftDefenderForIdentity'],
      detectionSources: ['antivirus', 'customDetection'],
      categories: ['Ransomware', 'CredentialAccess'],
      titleContains: 'lateral movement',
      content: { includeOrgName: true, includePortalLink: true, includeDeviceInfo: false },
      targets: [
        { kind: 'teams', value: 'channels' },
        { kind: 'teams', value: 'here' },
        { kind: 'email', value: 'SOC@mssp.example' },
        { kind: 'teams', value: 'SOC › Contoso alerts' },
      ],
      mode: ['teams', 'email'],
      enabled: false,
    });
  });

  it('takes every word before the first option as the name', () => {
    expect(parseRuleAdd(words('Contoso high alerts severity:high')).ruleName).toBe('Contoso high alerts');
    expect(parseRuleAdd(words('"Name: with colon" severity:high')).ruleName).toBe('Name: with colon');
  });

  it('joins a quoted value the chat split at spaces', () => {
    expect(parseRuleOptions(['groups:"Finance', 'laptops",Servers']).deviceGroups).toEqual(['Finance laptops', 'Servers']);
    expect(parseRuleOptions(['title:“lateral', 'movement”']).titleContains).toBe('lateral movement');
  });

  it('expands "medium+" to medium and every higher severity', () => {
    expect(parseRuleOptions(['severity:medium+']).severities).toEqual(['high', 'medium']);
    expect(parseRuleOptions(['severity:low+']).severities).toEqual(['high', 'medium', 'low']);
  });

  it('"any" clears a filter; "none" clears the title and the includes', () => {
    expect(parseRuleOptions(words('severity:any groups:any source:all detection:any category:any title:none include:none'))).toEqual({
      severities: [], deviceGroups: [], serviceSources: [], detectionSources: [], categories: [], titleContains: null,
      content: { includeOrgName: false, includePortalLink: false, includeDeviceInfo: false },
    });
  });

  it('reads "all except" as a tenant scope', () => {
    expect(parseRuleOptions(['except:northwind'])).toEqual({ tenants: { scope: 'except', refs: ['northwind'] } });
    expect(parseRuleOptions(['tenants:all', 'except:a,b'])).toEqual({ tenants: { scope: 'except', refs: ['a', 'b'] } });
    expect(parseRuleOptions(['tenants:all'])).toEqual({ tenants: { scope: 'all' } });
  });

  it('tells Teams conversation ids from email addresses', () => {
    expect(parseRuleOptions(['to:19:abc@thread.tacv2,a@b.example']).targets).toEqual([
      { kind: 'teams', value: '19:abc@thread.tacv2' },
      { kind: 'email', value: 'a@b.example' },
    ]);
  });
});

describe('rule add refusals name the key, the value and what is allowed', () => {
  it.each([
    ['x severity:urgent', /^severity: "urgent" is not a severity\. Use one or more of: high, medium, low, informational/],
    ['x category:Ransomwar', /^category: "Ransomwar" is not an alert category\. Did you mean Ransomware\? Categories: Reconnaissance/],
    ['x detection:antivirs', /^detection: "antivirs" is not a detection source\. Did you mean antivirus\?/],
    ['x source:nope', /^source: "nope" is not a service source/],
    ['x to:not-an-address@', /^to: "not-an-address@" is not an email address/],
    ['x to:"Bob <bob@evil.example>"', /^to: "Bob <bob@evil\.example>" is not an email address/],
    ['x mode:sms', /^mode: "sms" is not a mode\. Use teams, email or both, or any of teams, email/],
    ['x include:everything', /^include: "everything" is not something a notification can include\. Use org, link, devices/],
    ['x enabled:maybe', /^enabled: "maybe" must be yes or no\./],
    ['x tenants:contoso except:fabrikam', /^except: works with every tenant, not with a list/],
    ['x severity:high severity:low', /^"severity:" is given twice/],
    ['x colour:red', /^"colour:red" is not a rule option\. Options: tenants:…, except:…/],
    ['x title:', /^"title:" needs a value, e.g\. title:ransomware\./],
    ['severity:high', /^Give the rule a name first/],
    ['x groups:"Finance', /^A quote is not closed/],
  ])('%s', (text, message) => {
    expect(refusal(() => parseRuleAdd(text.split(' ')))).toMatch(message);
  });

  it('refuses a name over 80 characters', () => {
    expect(refusal(() => parseRuleAdd(['n'.repeat(81), 'severity:high']))).toMatch(/81 characters long; use at most 80/);
  });

  it('refuses "name:" in rule add, where the name comes first', () => {
    expect(refusal(() => parseRuleAdd(['x', 'name:y']))).toMatch(/"name:y" is not a rule option/);
  });
});

describe('splitList', () => {
  it('splits at commas outside quotes', () => {
    expect(splitList('a, "b, c" ,“d”,,')).toEqual(['a', 'b, c', 'd']);
  });
});
