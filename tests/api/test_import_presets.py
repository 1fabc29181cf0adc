"""Imports of real exports: --preset salesforce (Account.csv, Contact.csv,
Lead.csv, Opportunity.csv with their API field names, and User.csv for the
owners' e-mails) and --preset hubspot (companies, contacts and deals exports
with their property labels).  The files are built here from the columns those
products publish.

The source ids are kept per record and source: a re-import of the same file
changes nothing and duplicates nothing; a changed file updates the records,
and undoing that import puts the old values back.  References by the
source's ids (AccountId) and by name (Associated Company) find the imported
records; owners are matched by e-mail or name; a stage name no map knows
refuses the file before any row, listing the names, the pipeline's stages
and how to map them with --stage-map; bad rows are refused with their line.
"""
import csv
import io
import os
import unittest

import harness
from harness import ServerTest, org

SF_ACCOUNT = ["Id", "IsDeleted", "MasterRecordId", "Name", "Type", "ParentId", "BillingStreet",
              "BillingCity", "BillingPostalCode", "BillingCountry", "Phone", "Website",
              "Industry", "AnnualRevenue", "NumberOfEmployees", "Description", "OwnerId",
              "CreatedDate", "CreatedById", "LastModifiedDate", "SystemModstamp"]
SF_CONTACT = ["Id", "IsDeleted", "AccountId", "LastName", "FirstName", "Salutation", "Name",
              "MailingCity", "Phone", "MobilePhone", "Email", "Title", "Department",
              "LeadSource", "OwnerId", "CreatedDate"]
SF_LEAD = ["Id", "IsDeleted", "LastName", "FirstName", "Name", "Title", "Company", "City",
           "Phone", "Email", "Website", "LeadSource", "Status", "Industry",
           "NumberOfEmployees", "OwnerId", "IsConverted", "CreatedDate"]
SF_OPPORTUNITY = ["Id", "IsDeleted", "AccountId", "Name", "Description", "StageName", "Amount",
                  "Probability", "ExpectedRevenue", "CloseDate", "Type", "LeadSource",
                  "IsClosed", "IsWon", "ForecastCategory", "ForecastCategoryName", "OwnerId",
                  "CreatedDate", "FiscalQuarter", "FiscalYear"]
SF_TASK = ["Id", "WhoId", "WhatId", "Subject", "ActivityDate", "Status", "Priority",
           "OwnerId", "Description", "IsClosed", "TaskSubtype", "CreatedDate"]
SF_EVENT = ["Id", "WhoId", "WhatId", "Subject", "Location", "StartDateTime", "EndDateTime",
            "DurationInMinutes", "OwnerId", "Description", "EventSubtype", "CreatedDate"]
SF_HISTORY = ["Id", "OpportunityId", "CreatedById", "CreatedDate", "StageName", "Amount",
              "ExpectedRevenue", "CloseDate", "Probability", "ForecastCategory", "IsDeleted"]
SF_USER = ["Id", "Username", "LastName", "FirstName", "Email", "IsActive", "ProfileId"]
HS_COMPANY = ["Record ID", "Company name", "Company owner", "Create Date", "Phone Number",
              "Last Activity Date", "City", "Country/Region", "Industry", "Company Domain Name",
              "Website URL", "Number of Employees"]
HS_CONTACT = ["Record ID", "First Name", "Last Name", "Email", "Phone Number", "Contact owner",
              "Primary Associated Company ID", "Associated Company", "Job Title",
              "Lifecycle Stage", "Create Date"]
HS_DEAL = ["Record ID", "Deal Name", "Deal Stage", "Close Date", "Deal owner", "Amount",
           "Pipeline", "Create Date", "Associated Company", "Associated Contact"]


def table(columns, rows):
    """A CSV file as the product writes it: every column, CRLF, quoted as needed."""
    out = io.StringIO(newline="")
    w = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    w.writeheader()
    for r in rows:
        w.writerow({c: r.get(c, "") for c in columns})
    return out.getvalue()


class Presets(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.o = org(cls.s)
        cls.n = 0
        o = cls.o
        cls.users = cls.write(cls, table(SF_USER, [
            {"Id": "0058d00000A1", "Username": "ann@corp.sf", "Email": o["rep_e1"]["email"],
             "IsActive": "true"},
            {"Id": "0058d00000B2", "Username": "bob@corp.sf", "Email": o["rep_w"]["email"],
             "IsActive": "true"},
            {"Id": "0058d00000X9", "Username": "gone@corp.sf", "Email": "gone@corp.example",
             "IsActive": "false"}]), "User.csv")

    def write(self, text, name):
        Presets.n += 1
        d = os.path.join(self.s.tmp, "export%d" % Presets.n)
        os.makedirs(d)
        path = os.path.join(d, name)
        with open(path, "w", newline="", encoding="utf-8") as f:
            f.write(text)
        return path

    def imp(self, *args):
        p = harness.run(["import", "--db", self.s.db] + list(args))
        p.stderr = "".join(l for l in p.stderr.splitlines(True) if " info " not in l)
        return p

    def sf(self, resource, path, *args):
        return self.imp("--preset", "salesforce", "--users", self.users, *args, resource, path)

    def get(self, resource, q):
        r = self.s.get("/api/v1/%s?q=%s&limit=200&sort=id" % (resource, q), self.s.login())
        self.assertEqual(r.status, 200, r)
        return r.json["data"]

    def last_import(self):
        return self.s.get("/api/v1/imports?limit=1", self.s.login()).json["data"][0]

    def test_salesforce_export(self):
        o = self.o
        acc = table(SF_ACCOUNT, [
            {"Id": "0018d00000AcmeAA", "IsDeleted": "false", "Name": "Sfx Acme", "Type":
             "Customer", "BillingCity": "Paris", "Phone": "+33 1 23 45 67 89",
             "Website": "https://acme.example", "Industry": "Software",
             "NumberOfEmployees": "120", "OwnerId": "0058d00000A1",
             "CreatedDate": "2024-01-05T10:00:00.000Z"},
            {"Id": "0018d00000BetaAA", "Name": "Sfx Beta", "Industry": "Retail",
             "OwnerId": "0058d00000B2"}])
        path = self.write(acc, "Account.csv")
        p = self.sf("accounts", path)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("2 imported (2 created, 0 updated, 0 unchanged)", p.stdout)
        self.assertIn("not imported (the salesforce preset does not read them): IsDeleted",
                      p.stderr)
        accounts = {a["name"]: a for a in self.get("accounts", "Sfx")}
        self.assertEqual(accounts["Sfx Acme"]["owner_id"], o["rep_e1"]["id"])
        self.assertEqual(accounts["Sfx Acme"]["employees"], 120)
        self.assertEqual(accounts["Sfx Acme"]["website"], "https://acme.example")
        self.assertEqual(accounts["Sfx Beta"]["owner_id"], o["rep_w"]["id"])
        imp = self.last_import()
        self.assertEqual(imp["preset"], "salesforce")
        self.assertEqual(imp["file_name"], "Account.csv")

        # the same file again: nothing new, nothing changed
        p = self.sf("accounts", path)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("2 imported (0 created, 0 updated, 2 unchanged)", p.stdout)
        self.assertEqual(len(self.get("accounts", "Sfx")), 2)

        contacts = table(SF_CONTACT, [
            {"Id": "0038d00000C1", "AccountId": "0018d00000AcmeAA", "FirstName": "Ann",
             "LastName": "Sfxsmith", "Email": "ann@acme.example", "Title": "CFO",
             "OwnerId": "0058d00000A1"},
            {"Id": "0038d00000C2", "AccountId": "0018d00000NopeAA", "LastName": "Sfxghost",
             "OwnerId": "0058d00000A1"},
            {"Id": "0038d00000C3", "AccountId": "0018d00000BetaAA", "LastName": "Sfxgone",
             "OwnerId": "0058d00000X9"}])
        p = self.sf("contacts", self.write(contacts, "Contact.csv"), "--partial")
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("row 3: AccountId: no account imported from salesforce with id "
                      "'0018d00000NopeAA' (import Account.csv first)", p.stderr)
        self.assertIn("row 4: OwnerId: no Funnel user with the e-mail gone@corp.example",
                      p.stderr)
        c = self.get("contacts", "Sfxsmith")[0]
        self.assertEqual(c["account_id"], accounts["Sfx Acme"]["id"])
        self.assertEqual(c["title"], "CFO")

        leads = table(SF_LEAD, [
            {"Id": "00Q8d00000L1", "LastName": "Sfxlead", "FirstName": "Lea",
             "Company": "Lead Co", "Status": "Working - Contacted", "LeadSource": "Web",
             "NumberOfEmployees": "40", "OwnerId": "0058d00000A1"}])
        p = self.sf("leads", self.write(leads, "Lead.csv"))
        self.assertEqual(p.returncode, 0, p.stderr)
        lead = self.get("leads", "Sfxlead")[0]
        self.assertEqual((lead["status"], lead["source"], lead["company"]),
                         ("working", "Web", "Lead Co"))

        deals = [
            {"Id": "0068d00000D1", "AccountId": "0018d00000AcmeAA", "Name": "Sfx renewal",
             "StageName": "Prospecting", "Amount": "12000.50", "Probability": "10",
             "CloseDate": "2026-03-31", "IsClosed": "false", "IsWon": "false",
             "OwnerId": "0058d00000A1"},
            {"Id": "0068d00000D2", "AccountId": "0018d00000BetaAA", "Name": "Sfx pilot",
             "StageName": "Negotiation/Review", "Amount": "5000", "CloseDate": "2026-04-30",
             "OwnerId": "0058d00000B2"},
            {"Id": "0068d00000D3", "AccountId": "0018d00000BetaAA", "Name": "Sfx custom",
             "StageName": "Discovery Call", "Amount": "7000", "CloseDate": "2026-05-31",
             "OwnerId": "0058d00000B2"},
            {"Id": "0068d00000D4", "AccountId": "0018d00000BetaAA", "Name": "Sfx odd",
             "StageName": "Shaking Hands", "Amount": "1", "CloseDate": "2026-05-31",
             "OwnerId": "0058d00000B2"}]
        path = self.write(table(SF_OPPORTUNITY, deals), "Opportunity.csv")
        p = self.sf("opportunities", path)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("2 stage names of the file are not stages of the default pipeline: "
                      "'Discovery Call' (line 4), 'Shaking Hands' (line 5)", p.stderr)
        self.assertIn("qualification (Qualification)", p.stderr)
        self.assertIn("--stage-map FILE", p.stderr)
        self.assertIn("  Discovery Call,qualification", p.stderr)
        self.assertEqual(self.get("opportunities", "Sfx"), [])
        smap = self.write("Name in Salesforce,Funnel stage\r\nDiscovery Call,qualification\r\n"
                          "Shaking Hands,proposal\r\n", "stages.csv")
        bad = self.write("name,stage\nDiscovery Call,nowhere\n", "bad-stages.csv")
        p = self.sf("opportunities", path, "--stage-map", bad)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("'nowhere' is not a stage key", p.stderr)
        p = self.sf("opportunities", path, "--stage-map", smap)
        self.assertEqual(p.returncode, 0, p.stderr)
        got = {d["name"]: d for d in self.get("opportunities", "Sfx")}
        self.assertEqual(got["Sfx renewal"]["stage"], "prequalification")
        self.assertEqual(float(got["Sfx renewal"]["amount"]), 12000.50)
        self.assertEqual(got["Sfx renewal"]["account_id"], accounts["Sfx Acme"]["id"])
        self.assertEqual(got["Sfx pilot"]["stage"], "negotiation")
        self.assertEqual(got["Sfx pilot"]["owner_id"], o["rep_w"]["id"])
        self.assertEqual(got["Sfx custom"]["stage"], "qualification")
        self.assertEqual(got["Sfx odd"]["stage"], "proposal")

        # Task.csv and Event.csv: activities on what they are about (WhatId, else WhoId)
        tasks = table(SF_TASK, [
            {"Id": "00T1", "WhatId": "0068d00000D1", "WhoId": "0038d00000C1",
             "Subject": "Sfx call about renewal", "ActivityDate": "2026-03-20",
             "Status": "Completed", "TaskSubtype": "Call", "OwnerId": "0058d00000A1"},
            {"Id": "00T2", "WhoId": "0038d00000C1", "Subject": "Sfx mail Ann",
             "TaskSubtype": "Email", "OwnerId": "0058d00000A1"},
            {"Id": "00T3", "WhatId": "006Nowhere", "Subject": "Sfx lost task",
             "TaskSubtype": "Task", "OwnerId": "0058d00000A1"}])
        p = self.sf("activities", self.write(tasks, "Task.csv"), "--partial")
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("row 4: WhatId: no record imported from salesforce with id "
                      "'006Nowhere'", p.stderr)
        acts = {a["subject"]: a for a in self.get("activities", "Sfx")}
        call = acts["Sfx call about renewal"]
        self.assertEqual((call["type"], call["related_type"], call["related_id"],
                          call["due_at"]),
                         ("call", "opportunity", got["Sfx renewal"]["id"],
                          "2026-03-20T00:00:00Z"))
        mail = acts["Sfx mail Ann"]
        self.assertEqual((mail["type"], mail["related_type"], mail["related_id"]),
                         ("email", "contact", c["id"]))
        events = table(SF_EVENT, [
            {"Id": "00U1", "WhatId": "0018d00000AcmeAA", "Subject": "Sfx QBR",
             "StartDateTime": "2026-04-02T09:30:00.000Z", "EventSubtype": "Event",
             "OwnerId": "0058d00000A1"}])
        p = self.sf("activities", self.write(events, "Event.csv"))
        self.assertEqual(p.returncode, 0, p.stderr)
        qbr = self.get("activities", "Sfx+QBR")[0]
        self.assertEqual((qbr["type"], qbr["related_type"], qbr["related_id"]),
                         ("meeting", "account", accounts["Sfx Acme"]["id"]))
        self.assertTrue(qbr["due_at"].startswith("2026-04-02T09:30:00"), qbr["due_at"])

        # OpportunityHistory.csv: the deals' stage histories, as Salesforce kept them
        hist = table(SF_HISTORY, [
            {"Id": "008H1", "OpportunityId": "0068d00000D2", "CreatedById": "0058d00000B2",
             "CreatedDate": "2025-01-05T10:00:00.000Z", "StageName": "Prospecting"},
            {"Id": "008H2", "OpportunityId": "0068d00000D2", "CreatedById": "0058d00000B2",
             "CreatedDate": "2025-02-10T10:00:00.000Z", "StageName": "Negotiation/Review"}])
        p = self.sf("stage_history", self.write(hist, "OpportunityHistory.csv"))
        self.assertEqual(p.returncode, 0, p.stderr)
        st = self.s.get("/api/v1/opportunities/%d/stages" % got["Sfx pilot"]["id"],
                        self.s.login()).json["data"]
        self.assertEqual([(x["stage"], x["actor_id"]) for x in st],
                         [("prequalification", o["rep_w"]["id"]),
                          ("negotiation", o["rep_w"]["id"])])
        self.assertTrue(st[0]["entered_at"].startswith("2025-01-05T10:00:00"), st)

        # a changed export updates, and undoing that import restores the old values
        deals[1]["Amount"] = "6500"
        deals[1]["CloseDate"] = "2026-06-30"
        path2 = self.write(table(SF_OPPORTUNITY, deals), "Opportunity.csv")
        p = self.sf("opportunities", path2, "--stage-map", smap)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("4 imported (0 created, 1 updated, 3 unchanged)", p.stdout)
        self.assertEqual(len(self.get("opportunities", "Sfx")), 4)
        pilot = self.s.get("/api/v1/opportunities/%d" % got["Sfx pilot"]["id"],
                           self.s.login()).json
        self.assertEqual((float(pilot["amount"]), pilot["close_date"]), (6500, "2026-06-30"))
        imp = self.last_import()
        self.assertEqual(imp["counts"], {"created": 0, "updated": 1, "rejected": 0})
        r = self.s.post("/api/v1/imports/%d/undo" % imp["id"], None, self.s.login())
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["deleted"], r.json["restored"]), (0, 1))
        pilot = self.s.get("/api/v1/opportunities/%d" % got["Sfx pilot"]["id"],
                           self.s.login()).json
        self.assertEqual((float(pilot["amount"]), pilot["close_date"]), (5000, "2026-04-30"))

    def test_undo_of_an_update_refused_after_a_later_edit(self):
        path = self.write(table(SF_ACCOUNT, [{"Id": "001Later", "Name": "Sfl One",
                                              "OwnerId": "0058d00000A1"}]), "Account.csv")
        self.assertEqual(self.sf("accounts", path).returncode, 0)
        path = self.write(table(SF_ACCOUNT, [{"Id": "001Later", "Name": "Sfl One",
                                              "Industry": "Mining",
                                              "OwnerId": "0058d00000A1"}]), "Account.csv")
        p = self.sf("accounts", path)
        self.assertIn("1 updated", p.stdout)
        imp = self.last_import()
        acc = self.get("accounts", "Sfl+One")[0]
        self.assertEqual(acc["industry"], "Mining")
        r = self.s.patch("/api/v1/accounts/%d" % acc["id"], {"phone": "123"}, self.s.login())
        self.assertEqual(r.status, 200, r)
        r = self.s.post("/api/v1/imports/%d/undo" % imp["id"], None, self.s.login())
        self.assertEqual(r.status, 409, r)
        self.assertEqual(r.json["errors"], [{"field": "account %d" % acc["id"],
                                             "message": "changed after the import"}])
        self.assertEqual(self.get("accounts", "Sfl+One")[0]["industry"], "Mining")

    def test_hubspot_export(self):
        o = self.o
        companies = table(HS_COMPANY, [
            {"Record ID": "9001", "Company name": "Hsx Harbor", "Company owner":
             o["rep_e1"]["email"], "Industry": "COMPUTER_SOFTWARE",
             "Company Domain Name": "harbor.example", "Number of Employees": "55"},
            {"Record ID": "9002", "Company name": "Hsx Quay", "Company owner": "rep_w"}])
        p = self.imp("--preset", "hubspot", "accounts", self.write(companies, "companies.csv"))
        self.assertEqual(p.returncode, 0, p.stderr)
        got = {a["name"]: a for a in self.get("accounts", "Hsx")}
        self.assertEqual(got["Hsx Harbor"]["domain"], "harbor.example")
        self.assertEqual(got["Hsx Harbor"]["owner_id"], o["rep_e1"]["id"])
        self.assertEqual(got["Hsx Quay"]["owner_id"], o["rep_w"]["id"])  # by name
        contacts = table(HS_CONTACT, [
            {"Record ID": "501", "First Name": "Hal", "Last Name": "Hsxson",
             "Email": "hal@harbor.example", "Contact owner": o["rep_e1"]["email"],
             "Associated Company": "Hsx Harbor"},
            {"Record ID": "502", "Last Name": "Hsxnobody", "Contact owner": "Nobody Here",
             "Associated Company": "No Such Co"}])
        p = self.imp("--preset", "hubspot", "--partial", "contacts",
                     self.write(contacts, "contacts.csv"))
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("row 3: Contact owner: no Funnel user named 'Nobody Here' (owners are "
                      "matched by e-mail or by name); Associated Company: no account named "
                      "'No Such Co'", p.stderr)
        self.assertEqual(self.get("contacts", "Hsxson")[0]["account_id"],
                         got["Hsx Harbor"]["id"])
        # HubSpot's export writes dates as the portal's locale does
        deals = [
            {"Record ID": "7001", "Deal Name": "Hsx expansion", "Deal Stage":
             "Presentation Scheduled", "Close Date": "2026-03-31 00:00", "Amount": "2500",
             "Deal owner": o["rep_e1"]["email"], "Pipeline": "Sales Pipeline",
             "Associated Company": "Hsx Harbor"},
            {"Record ID": "7002", "Deal Name": "Hsx quay", "Deal Stage": "Contract Sent",
             "Close Date": "31/05/2026", "Amount": "900", "Deal owner": "rep_w",
             "Associated Company": "Hsx Quay"},
            {"Record ID": "7003", "Deal Name": "Hsx bad", "Deal Stage": "Contract Sent",
             "Close Date": "", "Amount": "lots", "Deal owner": "rep_w",
             "Associated Company": "Hsx Quay"}]
        path = self.write(table(HS_DEAL, deals), "deals.csv")
        for flags in ([], ["--row-by-row"]):
            p = self.imp("--preset", "hubspot", *flags, "opportunities", path)
            self.assertEqual(p.returncode, 3, p.stderr)
            self.assertIn("row 4: amount: must be a decimal number", p.stderr)
            self.assertIn("(nothing written)", p.stdout)
        p = self.imp("--preset", "hubspot", "--partial", "opportunities", path)
        self.assertEqual(p.returncode, 3, p.stderr)
        d = {x["name"]: x for x in self.get("opportunities", "Hsx")}
        self.assertEqual((d["Hsx expansion"]["stage"], d["Hsx expansion"]["close_date"]),
                         ("presentation", "2026-03-31"))
        self.assertEqual((d["Hsx quay"]["stage"], d["Hsx quay"]["close_date"],
                          d["Hsx quay"]["account_id"]),
                         ("negotiation", "2026-05-31", got["Hsx Quay"]["id"]))
        # a date that reads both ways: refused by the column's export name
        amb = [dict(deals[0], **{"Record ID": "7100", "Deal Name": "Hsx amb",
                                 "Close Date": "03/04/2026"})]
        p = self.imp("--preset", "hubspot", "opportunities",
                     self.write(table(HS_DEAL, amb), "deals.csv"))
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("column 'Close Date' has dates like '03/04/2026' (line 2)", p.stderr)
        # again: idempotent
        p = self.imp("--preset", "hubspot", "--partial", "opportunities", path)
        self.assertIn("2 imported (0 created, 0 updated, 2 unchanged), 1 rejected", p.stdout)
        self.assertEqual(len(self.get("opportunities", "Hsx")), 2)

    def test_usage(self):
        p = self.imp("--preset", "oracle", "accounts", self.users)
        self.assertEqual(p.returncode, 2)
        self.assertIn("not salesforce or hubspot", p.stderr)
        p = self.imp("--preset", "hubspot", "leads", self.users)
        self.assertEqual(p.returncode, 2)
        self.assertIn("no preset for leads", p.stderr)
        p = self.imp("--stage-map", self.users, "accounts", self.users)
        self.assertEqual(p.returncode, 2)
        # OwnerId without the users file: not imported, said so
        path = self.write(table(SF_ACCOUNT, [{"Id": "001NoUsers", "Name": "Sfn One"}]),
                          "Account.csv")
        p = self.imp("--preset", "salesforce", "--as", self.o["rep_e1"]["email"], "accounts",
                     path)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("OwnerId (give --users User.csv to match owners by e-mail)", p.stderr)
        self.assertEqual(self.get("accounts", "Sfn+One")[0]["owner_id"],
                         self.o["rep_e1"]["id"])


if __name__ == "__main__":
    unittest.main()
