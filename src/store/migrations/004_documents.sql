-- 004_documents: the default document templates, so a fresh database can
-- produce a welcome letter, a contract and a proposal from the first deal.
-- Merge fields are described in src/crm/document.h; managers edit these
-- through /api/v1/templates.

INSERT INTO templates (kind, name, body, created_at, updated_at) VALUES
('welcome_letter', 'Welcome letter',
'{{today}}

Dear {{contact.first_name}} {{contact.last_name}},

Welcome to us, and thank you for choosing us for {{opportunity.name}}. We are glad to have {{account.name}} with us.

What happens next:
- Your order of {{opportunity.amount}} {{opportunity.currency}} is confirmed.
- {{owner.name}} remains your contact for everything about it; you reach them at {{owner.email}}.
- You will receive the invoice and the payment schedule separately.

We look forward to working with you.

Kind regards,

{{owner.name}}',
 strftime('%Y-%m-%dT%H:%M:%SZ','now'), strftime('%Y-%m-%dT%H:%M:%SZ','now')),

('contract', 'Sales contract',
'Contract date: {{today}}

Between the supplier, represented by {{owner.name}} ({{owner.email}}), and {{account.name}}, the customer, represented by {{contact.first_name}} {{contact.last_name}}.

1. Subject. The supplier delivers to the customer: {{opportunity.name}}.

2. Price. The customer pays {{opportunity.amount}} {{opportunity.currency}}, excluding taxes, on the payment schedule agreed between the parties.

3. Delivery. Delivery begins once this contract is signed by both parties; the expected date is {{opportunity.close_date}}.

4. Term. This contract takes effect on signature and ends when both parties have met their obligations under it.

Signed for the supplier: ______________________    Signed for the customer: ______________________',
 strftime('%Y-%m-%dT%H:%M:%SZ','now'), strftime('%Y-%m-%dT%H:%M:%SZ','now')),

('proposal', 'Proposal',
'{{today}}

To: {{contact.first_name}} {{contact.last_name}}, {{account.name}}

Proposal: {{opportunity.name}}

Thank you for the time you gave us. Following our conversations, we propose {{opportunity.name}} for {{opportunity.amount}} {{opportunity.currency}}, excluding taxes.

This proposal is valid until {{opportunity.close_date}}.

Please contact {{owner.name}} at {{owner.email}} with any question.',
 strftime('%Y-%m-%dT%H:%M:%SZ','now'), strftime('%Y-%m-%dT%H:%M:%SZ','now'));
